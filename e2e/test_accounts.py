"""Accounts in a real browser: forgotten password → dev mailbox → reset link → new password →
log in → member space → log out; a wrong password; a keyboard-only log-in; the language
switch on a form page. French and English, JavaScript on and off, axe on every state."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import LOCALES, assert_accessible, portal_text, screenshot, t, tab_to
from web.branding import DEFAULT_PORTALS
from web.operations.demo import DEMO_PASSWORD, demo_identities

LANGUAGE_NAMES = {"fr": "Français", "en": "English"}
pytestmark = pytest.mark.accounts


def with_account(portal: str):
    members = [m for m in demo_identities(portal) if m.has_account and m.email]
    assert len(members) >= 2, f"the demo registry needs two {portal} members with an account"
    return members


# One reset mail a minute per account: each run of the reset journey has its own account,
# and each portal is seen in both languages and both JavaScript modes.
RESET_RUNS = {
    ("fr", True): with_account("mss")[0],
    ("en", False): with_account("mss")[1],
    ("fr", False): with_account("espace-prive")[0],
    ("en", True): with_account("espace-prive")[1],
}




def all_requirements_met(lang: str) -> re.Pattern:
    """The status line "N of N password requirements met." (the same N twice)."""
    summary = re.escape(
        t(lang, "%(met)s of %(total)s password requirements met.", met="MET", total="TOTAL")
    )
    return re.compile(summary.replace("MET", r"(\d+)").replace("TOTAL", r"\1"))


def login_label(portal: str, lang: str) -> str:
    by_email = DEFAULT_PORTALS[portal].login_field == "email"
    return t(lang, "Email address" if by_email else "Social security number")


@pytest.fixture
def demo_restored(live_server):
    """Put the demo accounts back as ``espace demo`` loads them (DEMO_PASSWORD) afterwards."""
    yield
    live_server.espace("demo")


class Steps:
    """One journey's page states: each gets a numbered screenshot and an axe check."""

    def __init__(self, page: Page, portal: str, lang: str, js: bool) -> None:
        self.page, self.portal, self.lang, self.js = page, portal, lang, js
        self.number = 0

    def check(self, step: str) -> None:
        self.number += 1
        screenshot(self.page, self.portal, self.lang, self.number, f"account-{step}", js=self.js)
        assert_accessible(self.page, f"{self.portal} {step} ({self.lang}, js={self.js})")


def log_in(page: Page, portal: str, lang: str, login: str, password: str) -> None:
    page.get_by_role("textbox", name=login_label(portal, lang), exact=True).fill(login)
    page.get_by_role("textbox", name=t(lang, "Password"), exact=True).fill(password)
    page.get_by_role("main").get_by_role("button", name=t(lang, "Log in"), exact=True).click()


@pytest.mark.local  # the demo passwords are put back afterwards
def test_forgot_password_reset_log_in_log_out(lang_page: Page, lang, js, base_url, mail,
                                              demo_restored):
    member = RESET_RUNS[(lang, js)]
    portal, page, mailbox = member.portal, lang_page, mail
    steps = Steps(page, portal, lang, js)

    page.goto(f"/{portal}/login")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t(lang, "Log in to %(name)s", name=portal_text(portal, lang))
    )
    steps.check("login")

    page.get_by_role("link", name=t(lang, "Forgot your password?")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Forgot your password?"))
    steps.check("forgot")

    before = mailbox.latest_id(member.email)
    page.get_by_role("textbox", name=login_label(portal, lang), exact=True).fill(member.login)
    page.get_by_role("button", name=t(lang, "Send me a link")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Check your email"))
    steps.check("forgot-sent")

    mail = mailbox.newest(member.email, after=before)
    reset_links = [link for link in mail.links if f"/{portal}/reset/" in link]
    assert reset_links, f"no reset link in the mail: {mail.text}"
    assert reset_links[0].startswith(base_url + "/")

    page.goto(reset_links[0])
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Choose a new password"))
    steps.check("reset")

    new_password = f"lanterne vélo {secrets.token_hex(4)} marée haute"
    page.get_by_role("textbox", name=t(lang, "New password"), exact=True).fill(new_password)
    page.get_by_role("textbox", name=t(lang, "Confirm the new password"), exact=True).fill(
        new_password
    )
    if js:  # the live checklist has caught up with what was typed
        expect(page.locator("#status")).to_have_text(all_requirements_met(lang))
        steps.check("reset-typed")
    page.get_by_role("button", name=t(lang, "Save my new password")).click()
    expect(
        page.get_by_text(t(lang, "Your new password is saved. You can log in with it now."))
    ).to_be_visible()
    steps.check("reset-done")

    log_in(page, portal, lang, member.login, new_password)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t(lang, "Welcome, %(name)s", name=f"{member.first_names} {member.last_name}")
    )
    expect(page.get_by_role("main")).to_contain_text(member.identifier)
    steps.check("member-space")

    page.get_by_role("main").get_by_role("button", name=t(lang, "Log out")).click()
    expect(page.get_by_text(t(lang, "You are logged out."))).to_be_visible()
    steps.check("logged-out")

    page.goto(f"/{portal}/account")  # the session is gone
    expect(page).to_have_url(f"{base_url}/{portal}/login")
    response = page.goto(reset_links[0])  # the link worked once
    assert response.status == 410


def test_wrong_password_is_refused_with_a_clear_message(lang_page: Page, lang, js):
    member = with_account("mss")[0]
    page = lang_page
    page.goto("/mss/login")
    log_in(page, "mss", lang, member.login, "not the right password at all")

    message = t(lang, "The email address or the password is not correct.")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text(message)
    expect(page).to_have_title(
        f"{t(lang, 'Error:')} {t(lang, 'Log in')} – {portal_text('mss', lang)}"
    )
    login = page.get_by_role("textbox", name=login_label("mss", lang), exact=True)
    expect(login).to_have_value(member.login)
    expect(page.get_by_role("textbox", name=t(lang, "Password"), exact=True)).to_have_value("")
    if js:
        expect(page.locator(".error-summary")).to_be_focused()
    screenshot(page, "mss", lang, 1, "account-wrong-password", js=js)
    assert_accessible(page, f"wrong password ({lang}, js={js})")

    # The right password afterwards works (and clears the failure count).
    log_in(page, "mss", lang, member.login, DEMO_PASSWORD)
    expect(page).to_have_url(f"{page.url.split('/mss/')[0]}/mss/account")


@pytest.mark.keyboard
@pytest.mark.parametrize("portal", list(DEFAULT_PORTALS))
def test_keyboard_only_log_in(lang_page: Page, lang, portal):
    member = with_account(portal)[1]
    page = lang_page
    page.goto(f"/{portal}/login")
    tab_to(page, "textbox", login_label(portal, lang))
    page.keyboard.type(member.login)
    tab_to(page, "textbox", t(lang, "Password"))
    page.keyboard.type(DEMO_PASSWORD)
    tab_to(page, "button", t(lang, "Log in"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t(lang, "Welcome, %(name)s", name=f"{member.first_names} {member.last_name}")
    )
    tab_to(page, "button", t(lang, "Log out"))
    page.keyboard.press("Enter")
    expect(page.get_by_text(t(lang, "You are logged out."))).to_be_visible()


@pytest.mark.parametrize("path", ["login", "forgot"])
def test_language_switch_keeps_what_was_typed(lang_page: Page, lang, js, path):
    other = "en" if lang == "fr" else "fr"
    typed = "quelqu.un@example.org"
    page = lang_page
    page.goto(f"/mss/{path}")
    page.get_by_role("textbox", name=login_label("mss", lang), exact=True).fill(typed)
    page.get_by_role("navigation", name=t(lang, "Language")).get_by_role(
        "button", name=LANGUAGE_NAMES[other]
    ).click()

    expect(page.locator("html")).to_have_attribute("lang", other)
    expect(page).to_have_url(f"{page.url.split('/mss/')[0]}/mss/{path}")
    expect(page.get_by_role("textbox", name=login_label("mss", other), exact=True)).to_have_value(
        typed
    )
    assert_accessible(page, f"/mss/{path} switched to {other} (js={js})")


def test_a_shown_password_is_hidden_again_on_submit_and_on_return(new_context, lang):
    """Shown, then the form is sent (or the page comes back from the back-forward cache): the
    password is hidden again, never left readable on a page the member has left."""
    page = new_context(locale=LOCALES[lang]).new_page()
    page.goto("/mss/login")
    password = page.locator("main #password")
    toggle = page.locator('main [data-password-toggle][aria-controls="password"]')
    password.fill("a secret typed here")
    toggle.click()
    expect(password).to_have_attribute("type", "text")
    page.evaluate("""() => document.getElementById("login-form").addEventListener("submit",
        e => { window.__typeWhenSent = document.getElementById("password").type;
               e.preventDefault(); })""")
    page.locator("main").get_by_role("button", name=t(lang, "Log in"), exact=True).click()
    assert page.evaluate("() => window.__typeWhenSent") == "password"
    expect(toggle).to_have_text(re.compile("^" + re.escape(t(lang, "Show"))))
    toggle.click()
    expect(password).to_have_attribute("type", "text")
    page.evaluate("() => window.dispatchEvent(new PageTransitionEvent('pageshow', "
                  "{persisted: true}))")
    expect(password).to_have_attribute("type", "password")
