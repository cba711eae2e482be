"""The robot rule, once in a browser: the suite's own server asks no delay before a form is
sent (ESPACE_MIN_FILL_SECONDS=0, so that the journeys do not wait it out at each form); this
server asks one long enough to be missed on a loaded machine."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import LOCALES
from e2e.journeys.espace_prive import PORTAL, Journey, demo, spaced_nir
from e2e.live_server import LiveServer

pytestmark = [pytest.mark.espace_prive, pytest.mark.local]
DELAY = 6  # seconds


@pytest.fixture(scope="module")
def robot_rule_server():
    with LiveServer(extra_env={"ESPACE_MIN_FILL_SECONDS": str(DELAY)}) as server:
        yield server


@pytest.fixture
def browser_context_args(browser_context_args, robot_rule_server) -> dict:
    return {**browser_context_args, "base_url": robot_rule_server.url}


def test_an_identifier_sent_at_once_is_asked_again(new_context):
    page: Page = new_context(locale=LOCALES["fr"]).new_page()
    g = Journey(page, "fr", True, demo("Rose-Aimée"), None)
    page.goto(f"/{PORTAL}/register/profile")
    g.choose("Individual")
    g.next()
    g.expect_step(2, "Your identifier", "/identifier")
    shown = time.monotonic()  # the registration (its draft) started before this
    g.field("Social security number").fill(spaced_nir(g.member.identifier))
    g.next()  # at once: faster than a person
    expect(page.locator(".error-summary")).to_contain_text(g.t(
        "The form was sent too quickly after it appeared. Wait a moment, then select "
        "“%(button)s” again.", button=g.t("Next")))
    g.check("sent too quickly")
    time.sleep(max(0.0, shown + DELAY + 0.2 - time.monotonic()))  # from the first showing
    g.next()
    g.expect_step(3, "Your contact details", "/contact")
