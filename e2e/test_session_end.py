"""The end of a logged-in session in the browser (WCAG 2.2.1), on a server of its own whose
sessions last 8 idle seconds (ESPACE_SESSION_IDLE_SECONDS) instead of 30 minutes: the dialog
opens ahead of the end, "Stay logged in" renews the session and gives the focus and what was
typed back; left unanswered, the dialog says the session has ended, and logging in again
brings the member back to the form."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import LOCALES, assert_accessible, t
from e2e.live_server import LiveServer
from web.operations.demo import DEMO_PASSWORD, demo_identities

pytestmark = [pytest.mark.accounts, pytest.mark.a11y, pytest.mark.local]
IDLE = 8  # seconds: the dialog opens after 4 (half of it, as 3 minutes of 30 do not fit)
# The page's clock is Playwright's: the test moves it to the warning at once, so the server's
# 8 real seconds are left for the accessibility check and "Stay logged in" even on a busy machine.


@pytest.fixture(scope="module")
def short_sessions_server():
    with LiveServer(extra_env={"ESPACE_SESSION_IDLE_SECONDS": str(IDLE)}) as server:
        yield server


@pytest.fixture
def browser_context_args(browser_context_args, short_sessions_server) -> dict:
    return {**browser_context_args, "base_url": short_sessions_server.url}


def log_in(page: Page, lang: str, email: str) -> None:
    page.get_by_role("textbox", name=t(lang, "Email address"), exact=True).fill(email)
    page.get_by_role("textbox", name=t(lang, "Password"), exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("main").get_by_role("button", name=t(lang, "Log in"), exact=True).click()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_dialog_keeps_the_member_logged_in_then_says_the_session_ended(new_context, lang):
    page: Page = new_context(locale=LOCALES[lang]).new_page()
    member = [m for m in demo_identities("mss") if m.has_account][0 if lang == "fr" else 1]
    page.goto("/mss/login")
    log_in(page, lang, member.email)
    page.clock.install()
    page.goto("/mss/account/password")
    expect(page.locator("#session-end time")).to_be_visible()
    current = page.get_by_role("textbox", name=t(lang, "Current password"), exact=True)
    current.fill("typed before the dialog")

    dialog = page.get_by_role("dialog", name=t(lang, "Your session is about to end"))
    expect(dialog).to_be_hidden()
    page.clock.fast_forward(IDLE // 2 * 1000)
    expect(dialog).to_be_visible()
    stay = dialog.get_by_role("button", name=t(lang, "Stay logged in"))
    expect(stay).to_be_focused()
    assert_accessible(page, "session dialog: about to end")
    stay.click()
    expect(page.locator("#status")).to_contain_text(
        t(lang, "You are still logged in. Without activity, your session now ends at %(time)s.",
          time="")[:30])
    expect(dialog).to_be_hidden()
    expect(current).to_be_focused()
    expect(current).to_have_value("typed before the dialog")

    # Left unanswered this time: the end comes, the dialog says so.
    ended = page.get_by_role("dialog", name=t(lang, "Your session has ended"))
    expect(ended).to_be_visible(timeout=2 * IDLE * 1000)
    again = ended.get_by_role("link", name=t(lang, "Log in again"))
    expect(again).to_be_focused()
    assert_accessible(page, "session dialog: ended")
    again.click()
    expect(page).to_have_url(
        re.compile(r"/mss/login\?next=%2Fmss%2Faccount%2Fpassword&notice=session-expired$"))
    expect(page.get_by_text(t(
        lang, "Your session has ended: you were logged out after a time without activity, to "
        "protect your account. Log in again to go back to the page you were on."))).to_be_visible()
    assert_accessible(page, "log-in page: the session has ended")
    log_in(page, lang, member.email)
    expect(page).to_have_url(re.compile(r"/mss/account/password$"))
    expect(page.get_by_role("textbox", name=t(lang, "Current password"), exact=True)) \
        .to_be_visible()
