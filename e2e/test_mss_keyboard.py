"""The whole mss journey with the keyboard only (Tab, Shift+Tab, Enter, Space, Esc), fr and en,
JavaScript on: every control is reached with Tab and shows a visible focus."""

from __future__ import annotations

import re

import pytest
from babel import Locale
from playwright.sync_api import Page, expect

from e2e.helpers import LOCALES, t, tab_to
from e2e.journeys.mss import (
    PASSWORD,
    Typed,
    demo,
    set_password_link,
)

MEMBERS = {"fr": "000450123", "en": "012345678"}
pytestmark = [pytest.mark.mss, pytest.mark.keyboard, pytest.mark.usefixtures("fresh_counters")]


def type_into(page: Page, role: str, name: str, text: str) -> None:
    tab_to(page, role, name)
    page.keyboard.type(text)  # key by key, as the espace-prive keyboard journey types


def test_journey_with_the_keyboard_only(new_context, mail, lang):
    page = new_context(locale=LOCALES[lang]).new_page()
    page.set_default_timeout(10_000)
    member = demo(MEMBERS[lang])
    typed = Typed.of(member)

    def _(text, **variables):
        return t(lang, text, **variables)

    page.goto("/mss/")
    tab_to(page, "link", _("Register")).press("Enter")
    expect(page).to_have_url(re.compile("/mss/register$"))

    type_into(page, "textbox", _("Unique identification number (UID)"), typed.uid)
    type_into(page, "textbox", _("First name"), typed.first_names)
    type_into(page, "textbox", _("Last name"), typed.last_name)
    type_into(page, "textbox", _("Day"), typed.day)
    type_into(page, "textbox", _("Month"), typed.month)
    type_into(page, "textbox", _("Year"), typed.year)
    type_into(page, "textbox", _("Email address"), typed.email)
    expect(page.locator("#verify")).to_be_visible()
    type_into(page, "textbox", _("Confirm the email address"), typed.email)

    tab_to(page, "button", _("Verify")).press("Enter")
    expect(page.locator("#question-title")).to_be_focused()
    answers = (member.facts["employer"],
               Locale.parse(lang).territories[member.facts["duty_country"]])
    for number, answer in enumerate(answers, 1):
        expect(page.locator("#question-title")).to_be_focused()
        page.keyboard.press("Tab")
        expect(page.locator("#answer")).to_be_focused()
        page.keyboard.type(answer)
        tab_to(page, "button", _("Submit")).press("Space")
        if number == 1:
            expect(page.get_by_text("[2 / 2]")).to_be_visible()
    expect(page.locator("#verified")).to_be_focused()

    # The policy dialog: Esc closes it and the focus comes back; then accept it.
    read = tab_to(page, "button", _("Read and accept"))
    read.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#policy-dialog-title")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.locator("#policy-read")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog")).to_be_visible()
    tab_to(page, "button", _("Accept")).press("Space")
    expect(page.locator("#policy-accepted")).to_be_focused()

    mails_before = mail.latest_id(member.email)
    tab_to(page, "button", _("Register")).press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        _("Registration (1/2): your information"))

    page.goto(set_password_link(mail, member.email, mails_before))
    type_into(page, "textbox", _("New password"), PASSWORD)
    type_into(page, "textbox", _("Confirm the new password"), PASSWORD)
    page.keyboard.press("Enter")  # submits the form (not the language switch)
    expect(page.get_by_role("heading", level=1)).to_have_text(_("Your password has been set"))

    tab_to(page, "link", _("Log in")).press("Enter")
    type_into(page, "textbox", _("Email address"), member.email)
    type_into(page, "textbox", _("Password"), PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(member.first_names)
