"""The mss journey's error paths in a real browser, fr and en, JavaScript on and off, axe on
every state: empty and invalid form, registry mismatch, already registered, policy not
accepted, wrong answers and the lockout, double submit, resend cooldown, expired and used
links, weak passwords."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import JS_MODES, LOCALES, portal_text, t
from e2e.journeys.mss import PASSWORD, Guide, demo, set_password_link
from e2e.page_state import settle
from web import i18n

MISMATCH = ("The information you entered does not match our records. Check your UID, names, "
            "date of birth and email address, or contact support.")


pytestmark = [pytest.mark.mss, pytest.mark.usefixtures("fresh_counters")]


def guide(page, lang, js, uid, mail) -> Guide:
    return Guide(page, lang, js, demo(uid), mail)


def open_form(g: Guide) -> None:
    g.page.goto("/mss/register")


def test_empty_form_lists_every_error(lang_page: Page, lang, js, mail):
    g = guide(lang_page, lang, js, "001234567", mail)
    open_form(g)
    g.page.get_by_role("button", name=t(lang, "Register"), exact=True).click()
    summary = g.page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(g.page).to_have_title(re.compile("^" + re.escape(t(lang, "Error:"))))
    for message in ("Enter your UID.", "Enter your first name.", "Enter your last name.",
                    "Enter your date of birth.", "Enter your email address.",
                    "Read and accept the privacy policy and terms of use."):
        expect(summary.get_by_role("link", name=t(lang, message))).to_be_visible()
    g.check("empty form errors")
    summary.get_by_role("link", name=t(lang, "Enter your UID.")).click()
    expect(g.page).to_have_url(re.compile("#uid$"))


def test_invalid_and_hostile_values_are_explained_and_kept(lang_page: Page, lang, js,
                                                          mail):
    g = guide(lang_page, lang, js, "001234567", mail)
    open_form(g)
    g.field("Unique identification number (UID)").fill("12345")
    g.field("First name").fill("<script>alert(1)</script>")
    g.field("Last name").fill("' OR 1=1 --")
    g.field("Day").fill("31")
    g.field("Month").fill("02")
    g.field("Year").fill("1980")
    g.field("Email address").fill("aminata@")
    g.field("Confirm the email address").fill("other@example.org")
    g.page.get_by_role("button", name=t(lang, "Register"), exact=True).click()
    summary = g.page.locator(".error-summary")
    expect(summary).to_be_focused()
    for message in ("Your UID must be 9 digits, for example 000123456.",
                    "First name must only include letters, spaces, hyphens and apostrophes.",
                    "Date of birth must be a real date.",
                    "Enter an email address in the correct format, like name@example.org.",
                    "The two email addresses do not match."):
        expect(summary).to_contain_text(t(lang, message))
    expect(g.field("First name")).to_have_value("<script>alert(1)</script>")
    expect(g.field("First name")).to_have_attribute("aria-invalid", "true")
    g.check("invalid values")


def test_reload_and_back_keep_what_was_typed(lang_page: Page, lang, js, mail):
    g = guide(lang_page, lang, js, "001234567", mail)
    open_form(g)
    g.field("First name").fill("Aminata")
    g.field("Last name").fill("N'Diaye")
    g.field("Last name").press("Tab")  # with JS, each change is saved as it happens
    if not js:  # without JS, what a button sent is kept
        with g.page.expect_navigation():
            g.page.get_by_role("button", name=t(lang, "Read and accept")).click()
        g.page.go_back()
    settle(g.page)
    g.page.reload()
    expect(g.field("First name")).to_have_value("Aminata")
    g.page.goto("/mss/register/uid")
    g.page.go_back()
    expect(g.field("Last name")).to_have_value("N'Diaye")


@pytest.mark.local  # counted failures
def test_registry_mismatch_says_the_same_whatever_the_field(lang_page: Page, lang, js, mail):
    g = guide(lang_page, lang, js, "001234567", mail)
    messages = []
    for field, value in (("Unique identification number (UID)", "999 999 999"),
                         ("Year", "1980")):
        open_form(g)
        g.step_03_fill_in_the_form()
        g.field(field).fill(value)
        g.page.get_by_role("button", name=t(lang, "Verify"), exact=True).click()
        summary = g.page.locator(".error-summary")
        expect(summary).to_be_focused()
        messages.append(summary.inner_text())
        expect(g.page.locator("form#register-form")).to_have_count(1)  # swapped in place
        expect(g.page.locator("#security .error-summary")).to_have_count(0)
        expect(g.page.locator("#security-field-error")).to_contain_text(t(lang, MISMATCH))
        g.check("registry mismatch")
    assert messages[0] == messages[1]


def test_a_member_with_an_account_is_told_by_mail(lang_page: Page, lang, js, mail):
    """Hélène has an account: the form answers as it does for anyone (the questions, then the
    confirmation); the email, at the registry's address, tells her to log in."""
    g = Guide(lang_page, lang, js, demo("000123456"), mail, shots="account-holder-")
    open_form(g)
    g.step_03_fill_in_the_form()
    g.step_04_verify_and_answer_the_security_questions()
    g.step_05_read_and_accept_the_policy()
    g.step_06_register()
    told = mail.newest(g.member.email, after=g.mails_before)
    assert told.subject in {t(language, "You already have a %(service)s account",  # the
                              service=portal_text("mss", language))  # account's language
                            for language in LOCALES}
    assert any(link.endswith("/mss/forgot") for link in told.links)


def test_policy_not_accepted(lang_page: Page, lang, js, mail):
    g = guide(lang_page, lang, js, "000000042", mail)
    open_form(g)
    g.step_03_fill_in_the_form()
    g.step_04_verify_and_answer_the_security_questions()
    g.page.get_by_role("button", name=t(lang, "Read and accept")).click()
    g.page.get_by_role("link", name=t(lang, "Cancel"), exact=True).click()
    if js:
        expect(g.page.get_by_role("dialog")).to_be_hidden()
        expect(g.page.get_by_role("button", name=t(lang, "Read and accept"))).to_be_focused()
    g.page.get_by_role("button", name=t(lang, "Register"), exact=True).click()
    summary = g.page.locator(".error-summary")
    expect(summary).to_contain_text(t(lang, "Read and accept the privacy policy and terms of use."))
    expect(summary).not_to_contain_text(t(lang, "Verify your identity"))
    g.check("policy not accepted")


@pytest.mark.local  # counted failures, the lockout: the counters are cleared afterwards
@pytest.mark.parametrize("js", JS_MODES)
def test_three_wrong_answers_lock_out_with_support(lang_page: Page, lang, js, mail):
    g = Guide(lang_page, lang, js, demo("000000007"), mail)
    open_form(g)
    g.step_03_fill_in_the_form()
    g.page.get_by_role("button", name=t(lang, "Verify"), exact=True).click()
    for attempt in range(3):
        answer = g.page.locator("#answer")
        expect(answer).to_be_visible()
        answer.fill(f"Wrong organisation {attempt}")
        g.page.get_by_role("button", name=t(lang, "Submit"), exact=True).click()
        if attempt < 2:
            expect(g.page.locator("#answer-error")).to_contain_text(
                t(lang, "This answer does not match our records."))
            g.check("wrong answer")
    locked = g.page.locator("#security-field")
    expect(locked).to_contain_text(t(
        lang, "For your security, identity verification is paused after 3 unsuccessful "
        "attempts. Try again in %(delay)s, or contact support.", delay=in_words(lang, 30 * 60)))
    expect(locked.get_by_role("link", name="support-mss@espace.example.org")).to_be_visible()
    g.check("locked out")


@pytest.mark.local
def test_submit_twice_resend_cooldown_links_and_weak_passwords(lang_page: Page, lang, js,
                                                                 live_server, mail):
    uid = {("fr", True): "000000007", ("en", True): "000590971", ("fr", False): "000555001",
           ("en", False): "000987654"}[lang, js]
    g = guide(lang_page, lang, js, uid, mail)
    open_form(g)
    g.step_03_fill_in_the_form()
    g.step_04_verify_and_answer_the_security_questions()
    g.step_05_read_and_accept_the_policy()
    register = g.page.get_by_role("button", name=t(lang, "Register"), exact=True)
    g.wait_like_a_person()
    register.click()
    expect(g.heading()).to_have_text(t(lang, "Registration (1/2): your information"))
    g.page.go_back()  # and submit again (two POSTs at once: tests/test_mss_register.py)
    register.click()
    g.page.goto("/mss/register/done")
    expect(g.heading()).to_have_text(t(lang, "Registration (1/2): your information"))
    with live_server.database() as db:
        accounts = db.execute("SELECT count(*) FROM account JOIN member ON member.id = "
                              "account.member_id WHERE member.identifier = ?", (uid,)).fetchone()
    assert accounts == (1,)
    # Resend at once: the cooldown explains itself.
    g.page.get_by_role("button", name=t(lang, "Send the email again")).click()
    wait = t(lang, "You can ask for another email in %(seconds)s seconds.", seconds="§")
    expect(g.page.locator("#resend-error")).to_contain_text(wait.split("§")[0])
    g.check("resend cooldown")
    first_link = set_password_link(mail, g.member.email)
    # An expired link explains itself and offers a new one.
    with live_server.database() as db:
        db.execute("UPDATE token SET expires_at = '2000-01-01 00:00:00+00:00' "
                   "WHERE used_at IS NULL AND account_id IN (SELECT account.id FROM account JOIN "
                   "member ON member.id = account.member_id WHERE member.identifier = ?)", (uid,))
        db.execute("DELETE FROM attempt_counter WHERE key LIKE 'resend:%'")
        db.commit()
    g.page.goto(first_link)
    expect(g.heading()).to_have_text(t(lang, "This link has expired"))
    g.check("expired link")
    g.page.get_by_role("button", name=t(lang, "Send me a new link")).click()
    expect(g.heading()).to_have_text(t(lang, "We have sent you a new link"))
    new_link = set_password_link(mail, g.member.email)
    assert new_link != first_link
    # Weak passwords, each with its reason.
    g.page.goto(new_link)
    for weak, reason in (("qwertyuiop12345", "This password is too common: it is one of the "
                          "first that attackers try."),
                         (g.member.email.split("@")[0] + " sunny meadow river",
                          "Your password must not contain your email address.")):
        g.field("New password").fill(weak)
        g.field("Confirm the new password").fill(weak)
        g.page.get_by_role("button", name=t(lang, "Save my password")).click()
        expect(g.page.locator(".error-summary")).to_contain_text(t(lang, reason))
    g.check("weak password")
    g.field("New password").fill(PASSWORD)
    g.field("Confirm the new password").fill(PASSWORD)
    g.page.get_by_role("button", name=t(lang, "Save my password")).click()
    expect(g.heading()).to_have_text(t(lang, "Your password has been set"))
    # The link is single-use.
    g.page.goto(new_link)
    expect(g.heading()).to_have_text(t(lang, "This link has already been used"))
    g.check("used link")


def in_words(lang: str, seconds: int) -> str:
    """A wait as the server says it (``web.i18n.format_delay``)."""
    with i18n.use_language(lang):
        return i18n.format_delay(seconds)
