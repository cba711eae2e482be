"""Every field edited at every state of the questions, in Chromium with JavaScript on.

A member corrects what they typed at any moment: a letter deleted from a field and typed
again while the security questions wait for Verify, while question 1 or 2 is on screen, once
verified (mss); an earlier answer changed while a later question is shown (espace-prive).
htmx posts each edit (the security block, the draft, the next question): none may answer a server
error, the form stays on the page, and a reload shows what the page shows.
"""

from __future__ import annotations

import contextlib
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from babel import Locale
from playwright.sync_api import Page, expect

from e2e.journeys.espace_prive import demo as prive_demo
from e2e.journeys.espace_prive import national_mobile, spaced_nir, wait_like_a_person
from e2e.journeys.mss import Guide
from e2e.journeys.mss import demo as mss_demo
from e2e.live_server import LiveServer
from e2e.mail import DevMailbox
from e2e.page_state import settle

pytestmark = pytest.mark.local  # a server of its own

MSS_FIELDS = ("Unique identification number (UID)", "First name", "Last name", "Day", "Month",
              "Year", "Email address", "Confirm the email address")


@pytest.fixture(scope="module")
def edits_server():
    """Its own server: these members are registered by no other test."""
    with LiveServer() as server:
        yield server


@pytest.fixture
def browser_context_args(browser_context_args, edits_server) -> dict:
    return {**browser_context_args, "base_url": edits_server.url}


@pytest.fixture
def page(new_context) -> Page:
    page = new_context(locale="en-GB").new_page()
    page.set_default_timeout(10_000)
    page.server_errors = []
    page.on("response", lambda r: r.status >= 500 and page.server_errors.append(
        f"{r.status} {r.request.method} {r.url}"))
    return page


# Where a form saved as it is typed (data-save-delay: the mss form) posts its save, a moment
# after a change; a form posted only when sent has none.
SAVED_AT = """el => el.form && el.form.hasAttribute("data-save-delay")
  ? el.form.getAttribute("data-hx-post") : null"""


@contextlib.contextmanager
def answered(page: Page, save: str | None = None, name: str = "", value: str = ""):
    """The edit made in the block answered: the form's save carrying the field's new value,
    if the form is saved as it is typed (the email's security block is asked at the same
    pause in typing); then nothing left in flight."""
    if save:
        def saving(response) -> bool:
            fields = parse_qs(response.request.post_data or "", keep_blank_values=True)
            return urlsplit(response.url).path == save and fields.get(name) == [value]

        with page.expect_response(saving):
            yield
    else:
        yield
    settle(page)


def edit(page: Page, field) -> None:
    """Delete the last character, let htmx post it, type it back, let htmx post again."""
    value = field.input_value()
    name, save = field.get_attribute("name"), field.evaluate(SAVED_AT)
    field.focus()
    field.press("End")
    for key, now in (("Backspace", value[:-1]), (value[-1:], value)):
        with answered(page, save, name, now):
            field.press_sequentially(key) if key != "Backspace" else field.press(key)
            field.dispatch_event("change")
        assert page.server_errors == [], page.server_errors
    expect(page.locator("#register-form, #wizard-form, form[method=post]").first).to_be_visible()


FORM_STATE = """form => [...form.elements].filter(e => e.name && e.name !== "csrf_token").map(
  e => [e.name, e.type === "radio" || e.type === "checkbox" ? e.checked : e.value])"""


def expect_the_reload_shows_the_same(page: Page, form: str) -> None:
    """What htmx left on the page is what a reload of the same URL shows."""

    def shown():
        locator = page.locator(form)
        return " ".join(locator.inner_text().split()), locator.evaluate(FORM_STATE)

    before = shown()
    page.reload()
    assert shown() == before


@pytest.mark.mss
def test_mss_every_field_edited_at_every_security_state(page: Page, edits_server) -> None:
    member = mss_demo("000450123")
    g = Guide(page, "en", True, member, DevMailbox(edits_server.url), shots="edits-")
    page.goto("/mss/register")
    g.step_03_fill_in_the_form()
    country = Locale.parse("en").territories[member.facts["duty_country"]]
    answers = [member.facts["employer"], country]
    for state in ("verify", "question 1", "question 2", "verified"):
        if state == "question 1":
            page.get_by_role("button", name="Verify", exact=True).click()
        elif state != "verify":
            page.locator("#answer").fill(answers.pop(0))
            page.get_by_role("button", name="Submit", exact=True).click()
        marker = {"verify": "#verify", "verified": "#verified"}.get(state, "#answer")
        expect(page.locator(marker)).to_be_visible()
        if marker == "#answer":
            page.locator("#answer").fill(answers[0][:5])  # its change comes with the next edit
        fields = [g.field(label) for label in MSS_FIELDS]
        if marker == "#answer":
            fields.append(page.locator("#answer"))
        for field in fields:
            edit(page, field)
        expect(page.locator(marker)).to_be_visible()  # every letter typed back: same identity
        expect_the_reload_shows_the_same(page, "#register-form")


@pytest.mark.espace_prive
def test_espace_prive_every_answer_changed_at_every_question(page: Page, edits_server) -> None:
    member = prive_demo("Zoé")
    page.goto("/espace-prive/register/profile")
    page.get_by_label("Individual", exact=True).check()
    page.get_by_role("button", name="Next", exact=True).click()
    page.get_by_label(re.compile("^Social security number")).fill(spaced_nir(member.identifier))
    wait_like_a_person(page)
    page.get_by_role("button", name="Next", exact=True).click()
    born = member.birth_date
    for label, value in (("Last name", member.last_name), ("First name", member.first_names),
                         ("Day", str(born.day)), ("Month", str(born.month)),
                         ("Year", str(born.year)), ("Email address", member.email),
                         ("Mobile phone number (optional)", national_mobile(member.mobile))):
        field = page.get_by_label(re.compile("^" + re.escape(label) + r"( \*)?$"))
        field.fill(value)
        edit(page, field)
    page.get_by_role("button", name="Next", exact=True).click()
    expect(page).to_have_url(re.compile(r"/register/verification$"))

    def choose(label: str) -> None:
        radio = page.get_by_label(label, exact=True)
        if radio.is_checked():  # kept from before: nothing to post
            radio.check()
        else:
            with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
                radio.check()  # htmx posts it at once
        settle(page)
        assert page.server_errors == [], page.server_errors

    choose("Yes")
    choose("With a photo")
    serial = page.get_by_label(re.compile("^Serial number of your Carte Vitale"))
    serial.fill(member.facts["vitale_serial"])
    edit(page, serial)
    for earlier, back in (("Without a photo", "With a photo"), ("No", "Yes")):
        choose(earlier)  # a later question is on screen
        choose(back)
    choose("No")
    choose("The IBAN of the bank account your benefits are paid to")
    iban = page.get_by_label(re.compile("^IBAN"))
    iban.fill(member.facts["iban"])
    edit(page, iban)
    choose("Yes")
    choose("With a photo")
    expect_the_reload_shows_the_same(page, "#main form")
