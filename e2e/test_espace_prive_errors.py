"""The espace-prive journey's error paths in a real browser, fr and en, JavaScript on and off,
axe on every error state: bad, hostile and huge input on each field, a NIR with a wrong month,
a date of birth that disagrees with the NIR, a landline, the registry mismatch (one generic
message), wrong serial numbers and the lockout, already registered, double submit, an expired
provisional password; and back/forward after htmx swaps."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import JS_MODES
from e2e.journeys.espace_prive import (
    PORTAL,
    Journey,
    demo,
    provisional_password,
    spaced_nir,
)
from web.accounts import hashing
from web.accounts.service import canonical_provisional

MISMATCH = ("The information you entered does not match our records. Check it and try again, "
            "or contact us: %(email)s, %(phone)s.")
SUPPORT = {"email": "support-prive@espace.example.org", "phone": "+590 590 12 34 56"}
# Members these tests use; none of them finishes a registration except where said.
TYPIST, LOCKED, ALREADY = "Rose-Aimée", "Odette", "Julien"


pytestmark = [pytest.mark.espace_prive, pytest.mark.usefixtures("fresh_counters")]


def journey(page: Page, lang: str, js: bool, first_names: str, mail) -> Journey:
    return Journey(page, lang, js, demo(first_names), mail, shots="errors-")


def start(g: Journey, profile: str = "Individual") -> None:
    g.page.goto(f"/{PORTAL}/register/profile")
    g.choose(profile)
    g.next()
    g.expect_step(2, "Your identifier", "/identifier")


def expect_errors(g: Journey, *messages: str, state: str) -> None:
    """The error summary, focused, lists the messages; the title says "Error:"; axe passes."""
    summary = g.page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(g.page).to_have_title(re.compile("^" + re.escape(g.t("Error:"))))
    for message in messages:
        expect(summary).to_contain_text(message)
    g.check(state)


def test_identifier_errors(lang_page: Page, lang, js, mail):
    g = journey(lang_page, lang, js, TYPIST, mail)
    start(g)
    g.next()
    expect_errors(g, g.t("Enter your social security number."), state="empty identifier")
    field = g.field("Social security number")
    for typed, message in [
        ("1 85 13 78 006 084", g.t("The 4th and 5th digits give the month of birth: %(month)s "
                                   "is not possible. They are 01 to 12; when the month of birth "
                                   "is unknown, 20, 30 to 42 or 50 to 99.", month="13")),
        ("5 85 05 78 006 084", g.t("The first digit of a social security number is 1, 2, 3, 4, "
                                   "7 or 8, not %(digit)s.", digit="5")),
        ("1 85 05 78 006 084 00", g.t("The last 2 digits (the key) do not match the number. "
                                      "Enter only the first 13 characters, without the key.")),
        ("<script>alert(1)</script>", g.t("A social security number contains only digits "
                                          "(and A or B for Corsica).")),
        ("9" * 10_000, g.t("Enter at most %%(max)d characters.") % {"max": 40}),
        ("王芳", g.t("A social security number contains only digits (and A or B for Corsica).")),
    ]:
        field.fill(typed)
        g.wait_like_a_person()
        g.next()
        expect_errors(g, message, state=f"identifier {typed[:12]!r}")
        expect(field).to_have_value(typed)
        expect(field).to_have_attribute("aria-invalid", "true")
    g.page.get_by_role("link", name=message).click()
    expect(field).to_be_focused()


def test_contact_errors(lang_page: Page, lang, js, mail):
    g = journey(lang_page, lang, js, TYPIST, mail)
    member = g.member
    start(g)
    g.field("Social security number").fill(spaced_nir(member.identifier))
    g.wait_like_a_person()
    g.next()
    g.expect_step(3, "Your contact details", "/contact")
    g.next()
    expect_errors(g, g.t("Enter your last name."), g.t("Enter your date of birth."),
                  g.t("Enter your email address."), state="empty contact details")
    g.field("Last name").fill("<script>alert('x')</script>")
    g.field("First name").fill(member.first_names)
    g.field("Day").fill(str(member.birth_date.day))
    g.field("Month").fill(str(member.birth_date.month))
    g.field("Year").fill(str(member.birth_date.year + 1))
    g.field("Email address").fill("rose@")
    g.field("Mobile phone number (optional)").fill("0590 27 12 34")  # a landline
    g.next()
    year = g.t("Your year of birth (%(year)s) does not match your social security number, "
               "whose 2nd and 3rd digits (%(digits)s) give the year of birth.",
               year=member.birth_date.year + 1, digits=f"{member.birth_date.year % 100:02d}")
    expect_errors(
        g,
        g.t("Last name must only include letters, spaces, hyphens and apostrophes."),
        year,
        g.t("Enter an email address in the correct format, like name@example.org."),
        g.t("This number is not a mobile phone number: enter a mobile number (for example 06 "
            "or 07 in metropolitan France)."),
        state="invalid contact details",
    )
    expect(g.field("Last name")).to_have_value("<script>alert('x')</script>")
    g.field("Year").fill(str(member.birth_date.year))
    g.field("Month").fill(str(member.birth_date.month % 12 + 1))
    g.next()
    expect_errors(g, g.t(
        "Your month of birth (%(month)s) does not match your social security number, whose "
        "4th and 5th digits (%(digits)s) give the month of birth.",
        month=f"{member.birth_date.month % 12 + 1:02d}",
        digits=f"{member.birth_date.month:02d}"), state="birth month against the number")


def to_verification(g: Journey, **changes) -> None:
    member = g.member
    start(g, {"exploitant": "Farmer"}.get(member.facts["profile"], "Individual"))
    g.field("Social security number").fill(spaced_nir(member.identifier))
    g.wait_like_a_person()
    g.next()
    values = {"Last name": member.last_name, "First name": member.first_names,
              "Day": str(member.birth_date.day), "Month": str(member.birth_date.month),
              "Year": str(member.birth_date.year), "Email address": "someone@example.org",
              **changes}
    for label, value in values.items():
        g.field(label).fill(value)
    g.next()
    g.expect_step(4, "Verification of your identity", "/verification")


def give_serial(g: Journey, kind: str, serial: str) -> None:
    if g.field("Serial number of your Carte Vitale").count() == 0:
        g.choose("Yes")
        g.follow_up("/verification/card")
        g.choose("With a photo" if kind == "photo" else "Without a photo")
        g.follow_up("/verification/serial")
    g.field("Serial number of your Carte Vitale").fill(serial)
    g.next()


@pytest.mark.local  # counted failures: the counters are cleared afterwards
def test_mismatch_then_lockout(lang_page: Page, lang, js, mail):
    g = journey(lang_page, lang, js, LOCKED, mail)
    facts = g.member.facts
    to_verification(g)
    for attempt in range(2):
        give_serial(g, facts["vitale_kind"], f"12345678{attempt}")
        expect_errors(g, g.t(MISMATCH, **SUPPORT), state=f"mismatch {attempt + 1}")
        expect(g.page.locator("[aria-invalid=true]")).to_have_count(0)  # never says which
    give_serial(g, facts["vitale_kind"], "123456789")
    main = g.page.get_by_role("main")
    expect(main.get_by_role("heading", name=g.t("Verification paused"))).to_be_visible()
    expect(main).to_contain_text("support-prive@espace.example.org")
    expect(g.page).to_have_title(re.compile("^" + re.escape(g.t("Error:"))))
    g.check("verification locked")
    g.page.reload()
    expect(main.get_by_role("heading", name=g.t("Verification paused"))).to_be_visible()


@pytest.mark.local  # a counted failure
def test_wrong_name_says_the_same_as_a_wrong_serial(lang_page: Page, lang, js, mail):
    g = journey(lang_page, lang, js, LOCKED, mail)
    to_verification(g, **{"Last name": "Marchand"})
    give_serial(g, g.member.facts["vitale_kind"], g.member.facts["vitale_serial"])
    expect_errors(g, g.t(MISMATCH, **SUPPORT), state="mismatch on the name")


@pytest.mark.parametrize("js", JS_MODES)
def test_already_registered(new_context, js, mail):
    page = new_context(locale="en-GB", java_script_enabled=js).new_page()
    g = journey(page, "en", js, ALREADY, mail)
    to_verification(g)
    give_serial(g, g.member.facts["vitale_kind"], g.member.facts["vitale_serial"])
    expect(g.heading()).to_have_text(g.t("You already have a private space"))
    expect(page.get_by_role("link", name=g.t("Forgot your password?"))).to_be_visible()
    g.check("already registered")


@pytest.mark.local
@pytest.mark.nojs
def test_double_submit_makes_one_account(new_context, live_server, mail):
    page = new_context(locale="fr-FR", java_script_enabled=False).new_page()
    g = Journey(page, "fr", False, demo("ليلى"), mail, shots="double-")
    g.step_01_click_register_and_choose_who_you_are()
    g.step_02_enter_the_social_security_number()
    g.step_03_fill_in_your_contact_details()
    g.step_04_verify_your_identity_with_the_carte_vitale()
    g.next()
    finish = page.get_by_role("button", name=g.t(
        "Finalise my registration by accepting the general terms of use"))
    finish.dblclick()
    expect(g.heading()).to_have_text(g.t("Registration complete"))
    page.go_back()
    if page.get_by_role("button", name=g.t(
            "Finalise my registration by accepting the general terms of use")).count():
        finish.click()
    expect(g.heading()).to_have_text(g.t("Registration complete"))
    with live_server.database() as db:
        accounts = db.execute("SELECT count(*) FROM account WHERE login = ?",
                              (g.member.identifier,)).fetchone()[0]
        mails = db.execute("SELECT count(*) FROM outbox_mail WHERE \"to\" = ? AND template = "
                           "'provisional_password'", (g.member.email,)).fetchone()[0]
    assert (accounts, mails) == (1, 1)


@pytest.mark.local
def test_expired_provisional_password(new_context, live_server, mail):
    page = new_context(locale="fr-FR").new_page()
    g = Journey(page, "fr", True, demo("Anne-Sophie Marie-Thérèse Éléonore"), mail,
                shots="expired-")
    g.step_01_click_register_and_choose_who_you_are()
    g.step_02_enter_the_social_security_number()
    g.step_03_fill_in_your_contact_details()
    g.step_04_verify_your_identity_with_the_carte_vitale()
    g.step_05_confirm_the_email_address()
    g.next("Finalise my registration by accepting the general terms of use")
    expect(g.heading()).to_have_text(g.t("Registration complete"))
    password = provisional_password(mail, g.member.email)
    eight_days_ago = (datetime.now(UTC) - timedelta(days=8)).isoformat()
    with live_server.database() as db:
        db.execute("UPDATE account SET password_expires_at = ? WHERE login = ?",
                   (eight_days_ago, g.member.identifier))
        db.commit()
        stored = db.execute("SELECT password_hash FROM account WHERE login = ?",
                            (g.member.identifier,)).fetchone()[0]
    assert password not in stored
    assert hashing.verify_password_sync(canonical_provisional(password), stored)
    page.get_by_role("link", name=re.compile(g.t("Log in to %(site)s", site=""))).click()
    main = page.get_by_role("main")
    main.get_by_role("textbox", name=g.t("Social security number")).fill(g.member.identifier)
    main.get_by_label(re.compile("^" + g.t("Password"))).fill(password)
    main.get_by_role("button", name=g.t("Log in"), exact=True).click()
    expect(page.locator(".error-summary")).to_contain_text(g.t(
        "Your provisional password has expired: it was valid for 7 days. Ask for a new "
        "password with “Forgot your password?” below, or contact us."))
    g.check("expired provisional password")


def test_back_forward_and_reload_after_htmx_swaps(new_context, mail):
    page = new_context(locale="fr-FR").new_page()
    g = journey(page, "fr", True, TYPIST, mail)
    start(g)
    g.field("Social security number").fill(spaced_nir(g.member.identifier))
    g.wait_like_a_person()
    g.next()
    g.expect_step(3, "Your contact details", "/contact")
    g.field("Last name").fill("Bellance")
    page.go_back()
    g.expect_step(2, "Your identifier", "/identifier", swapped=False)
    expect(g.field("Social security number")).to_have_value(spaced_nir(g.member.identifier))
    expect(page.locator("header")).to_have_count(1)  # a whole page, never a bare fragment
    page.go_forward()
    expect(page).to_have_url(re.compile(r"/register/contact$"))
    page.reload()
    g.expect_step(3, "Your contact details", "/contact", swapped=False)
    expect(page.locator("header")).to_have_count(1)


def test_verification_answers_missing_or_malformed(lang_page: Page, lang, js, mail):
    g = journey(lang_page, lang, js, LOCKED, mail)
    to_verification(g)
    g.next()
    expect_errors(g, g.t("Answer yes or no."), state="health question unanswered")
    g.choose("Yes")
    g.follow_up("/verification/card")
    g.next()
    expect_errors(g, g.t("Choose the kind of your Carte Vitale."), state="card kind unanswered")
    g.choose("With a photo")
    g.follow_up("/verification/serial")
    g.field("Serial number of your Carte Vitale").fill("80250A<b>")
    g.next()
    expect_errors(g, g.t("The serial number of a Carte Vitale has 8 to 12 digits, like "
                         "802500002."), state="bad serial")
    g.page.get_by_role("link", name=g.t("I cannot read this number")).click()
    g.choose("The IBAN of the bank account your benefits are paid to")
    g.follow_up("/verification/iban")
    g.field("IBAN").fill("FR76 3000 6000 0112 3456 7890 188")
    g.next()
    expect_errors(g, g.t("This IBAN is not valid: a character is probably wrong. Check it, for "
                         "example on a bank statement."), state="bad IBAN")


@pytest.mark.parametrize("js", JS_MODES)
def test_language_switch_on_a_step_keeps_what_was_typed(new_context, js, mail):
    page = new_context(locale="fr-FR", java_script_enabled=js).new_page()
    g = journey(page, "fr", js, TYPIST, mail)
    start(g)
    g.field("Social security number").fill(spaced_nir(g.member.identifier))
    g.wait_like_a_person()
    g.next()
    g.field("Last name").fill("Bellance")
    g.field("Email address").fill("half-typed@")
    page.get_by_role("button", name="English").click()
    english = Journey(page, "en", js, g.member, mail)
    english.expect_step(3, "Your contact details", "/contact", swapped=False)
    expect(english.field("Last name")).to_have_value("Bellance")
    expect(english.field("Email address")).to_have_value("half-typed@")
    expect(page.locator(".error-summary")).to_have_count(0)
    english.check("contact details after the language switch")


def test_other_profile_and_help_pages(lang_page: Page, lang, js, mail):
    g = journey(lang_page, lang, js, TYPIST, mail)
    g.page.goto(f"/{PORTAL}/register/profile")
    g.choose("Other…")
    g.next()
    expect(g.heading()).to_have_text(g.t("Who to contact"))
    expect(g.page.get_by_role("main")).to_contain_text("support-prive@espace.example.org")
    g.check("whom to contact")
    start(g)
    g.page.get_by_role("link", name=g.t("I do not know my social security number")).click()
    expect(g.heading()).to_have_text(g.t("I do not know my social security number"))
    g.check("social security number help")
