"""The mss registration form and set-password page in a real browser, fr and en, JavaScript on
and off: the UID help and the language switch keep what was typed (a partly typed security
answer too), the set-password page checks the password live and shows or hides it."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import LOCALES, assert_accessible, t
from e2e.journeys.mss import PASSWORD, Guide, demo, set_password_link
from e2e.live_server import LiveServer
from e2e.mail import DevMailbox
from e2e.test_accounts import LANGUAGE_NAMES, all_requirements_met

TYPING = "001234567"  # verified here, never registered
REGISTERING = {("fr", True): "000314159", ("en", True): "000000101",
               ("fr", False): "000262974", ("en", False): "000777888"}
pytestmark = [pytest.mark.mss, pytest.mark.local]


@pytest.fixture(scope="module")
def form_server():
    """Its own server: these registrations and verifications touch no other test's members."""
    with LiveServer() as server:
        yield server


@pytest.fixture
def browser_context_args(browser_context_args, form_server) -> dict:
    return {**browser_context_args, "base_url": form_server.url}


@pytest.fixture
def page(new_context, lang, js) -> Page:
    page = new_context(java_script_enabled=js, locale=LOCALES[lang]).new_page()
    page.set_default_timeout(10_000)
    return page


@pytest.fixture
def mail(form_server) -> DevMailbox:
    return DevMailbox(form_server.url)


def other(lang: str) -> str:
    return "en" if lang == "fr" else "fr"


def assert_typed_values_kept(g: Guide) -> None:
    typed = g.typed
    for label, value in (("Unique identification number (UID)", typed.uid),
                         ("First name", typed.first_names), ("Last name", typed.last_name),
                         ("Day", typed.day), ("Month", typed.month), ("Year", typed.year),
                         ("Email address", typed.email),
                         ("Confirm the email address", typed.email)):
        expect(g.field(label)).to_have_value(value)


def test_uid_help_keeps_what_was_typed(page: Page, lang, js, mail):
    g = Guide(page, lang, js, demo(TYPING), mail)
    page.goto("/mss/register")
    g.step_03_fill_in_the_form()
    page.get_by_role("button", name=t(lang, "Where to find your UID"), exact=True).click()
    expect(g.heading()).to_have_text(t(lang, "Where to find your UID"))
    expect(page).to_have_url(re.compile("/mss/register/uid$"))
    assert_accessible(page, f"UID help ({lang}, js={js})")
    page.get_by_role("link", name=t(lang, "Back to the registration form")).click()
    expect(page).to_have_url(re.compile("/mss/register$"))
    assert_typed_values_kept(g)
    page.go_back()
    page.go_back()  # the browser's Back to the form, as well
    expect(page).to_have_url(re.compile("/mss/register$"))
    assert_typed_values_kept(g)


def test_language_switch_keeps_typed_values_and_a_partly_typed_answer(page: Page, lang, js,
                                                                      mail):
    member = demo(TYPING)
    g = Guide(page, lang, js, member, mail)
    page.goto("/mss/register")
    g.step_03_fill_in_the_form()
    page.get_by_role("button", name=t(lang, "Verify"), exact=True).click()
    started = member.facts["employer"][:12]
    page.locator("#answer").fill(started)
    page.get_by_role("navigation", name=t(lang, "Language")).get_by_role(
        "button", name=LANGUAGE_NAMES[other(lang)]).click()

    switched = Guide(page, other(lang), js, member, mail)
    expect(page.locator("html")).to_have_attribute("lang", other(lang))
    expect(switched.heading()).to_have_text(
        switched.t("Registration form for the %(name)s", name=switched.site))
    assert_typed_values_kept(switched)
    question = switched.t("What is the name of your current employing organisation?")
    spoken = switched.t("Question %(number)s of %(total)s:", number=1, total=2)
    expect(page.get_by_label(f"{spoken} {question}")).to_have_value(started)
    assert_accessible(page, f"registration form switched to {other(lang)} (js={js})")


def test_set_password_checks_live_and_shows_or_hides(page: Page, lang, js, mail):
    g = Guide(page, lang, js, demo(REGISTERING[lang, js]), mail)
    page.goto("/mss/register")
    g.step_03_fill_in_the_form()
    g.step_04_verify_and_answer_the_security_questions()
    g.step_05_read_and_accept_the_policy()
    g.step_06_register()
    page.goto(set_password_link(mail, g.member.email, g.mails_before))
    new, confirmation = g.field("New password"), g.field("Confirm the new password")
    toggle = page.locator('[data-password-toggle][aria-controls="password"]')
    requirements = page.locator("#password-requirements")
    if not js:  # the requirements are listed, checked on submit; no toggle without JS
        expect(toggle).to_be_hidden()
        new.fill("lanterne")
        expect(requirements.locator(".checklist__item--todo")).to_have_count(3)
        assert_accessible(page, f"set password ({lang}, no js)")
        return

    new.press_sequentially("lanterne", delay=20)
    too_short = t(lang, "%(count)s characters of at least %(min)s.", count=8, min=15)
    expect(requirements.locator(".checklist__item--unmet")).to_contain_text(too_short)
    expect(page.locator("#status")).not_to_have_text(all_requirements_met(lang))
    assert_accessible(page, f"set password, too short ({lang})")
    new.fill(PASSWORD)
    new.press("End")  # an input event after fill, as typing gives
    expect(page.locator("#status")).to_have_text(all_requirements_met(lang))
    expect(requirements.locator(".checklist__item--met")).to_have_count(3)

    expect(toggle).to_be_visible()
    expect(toggle).to_have_text(re.compile("^" + re.escape(t(lang, "Show"))))
    toggle.click()
    expect(new).to_have_attribute("type", "text")
    expect(new).to_have_value(PASSWORD)
    expect(toggle).to_have_text(re.compile("^" + re.escape(t(lang, "Hide"))))
    expect(page.locator("#status")).to_have_text(t(lang, "Your password is shown."))
    expect(confirmation).to_have_attribute("type", "password")  # each field its own toggle
    assert_accessible(page, f"set password, shown ({lang})")
    toggle.click()
    expect(new).to_have_attribute("type", "password")
    expect(page.locator("#status")).to_have_text(t(lang, "Your password is hidden."))

    confirmation.fill(PASSWORD)
    page.get_by_role("button", name=t(lang, "Save my password")).click()
    expect(g.heading()).to_have_text(t(lang, "Your password has been set"))


@pytest.mark.parametrize("js", [True], ids=["js-on"])  # without JS the form sends every change
def test_a_change_is_kept_when_the_page_is_reloaded_or_opened_again_at_once(page: Page, lang,
                                                                            js, mail):
    """Changes are saved a moment after the last one (fewer requests while typing): a reload
    or a new visit of the page within that moment still shows them."""
    g = Guide(page, lang, js, demo(TYPING), mail)
    page.goto("/mss/register")
    for leave, name in ((page.reload, "Reloaded"), (lambda: page.goto("/mss/register"), "Again")):
        g.field("First name").fill(name)
        g.field("Last name").focus()  # the change
        leave()
        expect(g.field("First name")).to_have_value(name)


@pytest.mark.parametrize("js", [True], ids=["js-on"])  # without JS nothing is handed over
def test_what_is_handed_to_the_next_page_holds_what_was_typed_and_no_token(page: Page, lang,
                                                                          js, mail):
    """A pending save handed to the tab's next page (sessionStorage) carries the fields the
    member typed, never the form's hidden fields (the CSRF token)."""
    g = Guide(page, lang, js, demo(TYPING), mail)
    page.goto("/mss/register")
    # the save stays pending however slow the machine: what is handed over is under test here
    page.locator("#register-form").evaluate("form => form.dataset.saveDelay = '600000'")
    g.field("First name").fill("Handed")
    g.field("Last name").focus()  # the change: a save is pending
    stored = page.evaluate("""() => {
        window.dispatchEvent(new Event("pagehide"));
        return sessionStorage.getItem("espace-unsaved");
    }""")
    fields = dict(parse_qsl(json.loads(stored)[2]))
    assert fields["first_names"] == "Handed"
    assert "csrf_token" not in fields and "security_shown" not in fields
