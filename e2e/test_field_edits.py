"""Every field edited at every state of the questions, in Chromium with JavaScript on.

A member corrects what they typed at any moment: a letter deleted from a field and typed
again while the security questions wait for Verify, while question 1 or 2 is on screen, once
verified (mss); an earlier answer changed while a later question is shown (espace-prive).
htmx posts each edit (the security block, the draft, the next question): none may answer a server
error, the form stays on the page, and a reload shows what the page shows.
"""

from __future__ import annotations

import re

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
    page.clock.install()  # the save delays are moved past at once (answered)
    page.set_default_timeout(10_000)
    page.server_errors = []
    page.on("response", lambda r: r.status >= 500 and page.server_errors.append(
        f"{r.status} {r.request.method} {r.url}"))
    return page


# A form saved as it is typed posts its save this long after a change (data-save-delay: the
# mss form; its email field's security block waits as long after typing); a form posted only
# when sent has none.
SAVE_DELAY = """el => el.form && el.form.hasAttribute("data-save-delay")
  ? Number(el.form.getAttribute("data-save-delay")) : 0"""


def answered(page: Page, delay_ms: int = 0) -> None:
    """The edit's requests answered: the form's save delay passed (on the page's clock, at
    once: it is not what these tests test), then nothing left in flight."""
    if delay_ms:
        page.clock.fast_forward(delay_ms)
    settle(page)


def edit(page: Page, field) -> None:
    """Delete the last character, let htmx post it, type it back, let htmx post again."""
    value = field.input_value()
    delay_ms = field.evaluate(SAVE_DELAY)
    field.focus()
    field.press("End")
    for key in ("Backspace", value[-1:]):
        field.press_sequentially(key) if key != "Backspace" else field.press(key)
        field.dispatch_event("change")
        answered(page, delay_ms)
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
        if state.startswith("question"):  # this question's own field, not the last one's
            number = state.split()[1]
            expect(page.locator("label[for=answer]")).to_contain_text(f"[{number} / 2]")
            expect(page.locator("#question-title")).to_be_focused()  # the swap's focus moved
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
