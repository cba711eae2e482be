"""After every htmx swap of both journeys the page is what a reload of its URL shows (title,
error summary, invalid fields, inline messages, live region); a swap that answers errors shows
them everywhere at once (title, summary, fields)."""

from __future__ import annotations

import re
import time

import pytest
from babel import Locale
from playwright.sync_api import expect

from e2e.helpers import LOCALES, t
from e2e.journeys import espace_prive, mss
from e2e.page_state import SwapWatch, assert_error_state_is_whole, settle

# Mismatches and wrong answers are counted failures: the counters are cleared around each.
pytestmark = [pytest.mark.a11y, pytest.mark.local, pytest.mark.usefixtures("fresh_counters")]


MSS_MEMBER = "001234567"  # verified in other tests too, never registered


@pytest.mark.mss
def test_mss_every_swap_is_what_a_reload_shows(new_context, lang, mail):
    context = new_context(locale=LOCALES[lang])
    page = context.new_page()
    page.set_default_timeout(10_000)
    g = mss.Guide(page, lang, True, mss.demo(MSS_MEMBER), mail)
    watch = SwapWatch(page)
    error = t(lang, "Error:")

    def after_swap(where: str, *, errors: bool = False) -> None:
        settle(page)
        if errors:
            assert watch.status_code >= 400, where
            assert_error_state_is_whole(page, error, where)
        else:
            watch.assert_same_as_reload(context, where)

    def verify() -> None:
        page.get_by_role("button", name=g.t("Verify"), exact=True).click()

    page.goto("/mss/register")
    g.field("Email address").press_sequentially("not-yet@example.org", delay=5)
    expect(page.locator("#verify")).to_be_visible()
    with page.expect_response("**/mss/register/save"):  # a new tab's reload knows it
        g.field("Email address").press("Tab")  # the change
    after_swap("the security block appears")
    # Every field wrong: the first htmx error.
    for label, value in (("Unique identification number (UID)", "12"), ("First name", "4"),
                         ("Last name", "5"), ("Day", "40"), ("Month", "13"), ("Year", "1"),
                         ("Confirm the email address", "other@example.org")):
        g.field(label).fill(value)
    verify()
    expect(page.locator(".error-summary")).to_be_focused()
    after_swap("Verify with every field wrong", errors=True)
    # Fixed, but not the registry's: the mismatch.
    g.step_03_fill_in_the_form()
    g.field("Last name").fill("Someone-Else")
    verify()
    expect(page.locator("#security-field-error")).to_be_visible()
    after_swap("Verify: mismatch", errors=True)
    # Fixed: both questions, then Verified, then the policy.
    g.field("Last name").fill(g.typed.last_name)
    verify()
    expect(page.locator("#question-title")).to_be_focused()
    after_swap("Verify succeeds after errors")
    g.answer(1, g.t("What is the name of your current employing organisation?"),
             g.member.facts["employer"])
    expect(page.locator("#question-title")).to_be_focused()
    after_swap("question 1 answered")
    country = Locale.parse(lang).territories[g.member.facts["duty_country"]]
    second = page.get_by_role("combobox", name=re.compile(
        re.escape(g.t("In which country is your current duty station?"))))
    second.fill("Atlantis")
    submit = page.get_by_role("button", name=g.t("Submit"), exact=True)
    submit.click()
    expect(page.locator(".error-summary")).to_be_focused()
    after_swap("a wrong answer", errors=True)
    second.fill(country)
    submit.click()
    expect(page.locator("#verified")).to_be_visible()
    after_swap("verified")
    page.get_by_role("button", name=g.t("Read and accept")).click()
    page.get_by_role("button", name=g.t("Accept"), exact=True).click()
    expect(page.locator("#policy-accepted")).to_be_visible()
    after_swap("policy accepted")
    assert watch.swaps >= 8


@pytest.mark.mss
def test_mss_a_panel_answer_in_flight_when_verify_is_selected_never_lands_over_the_questions(
        new_context, lang, mail):
    """The email field asks for the panel again as it loses focus; Verify, selected while that
    answer is still on its way, must not come back to the panel it had: whatever order the
    two come back in, the page ends on question 1, as a reload shows it. A change typed
    meanwhile is saved after Verify (nothing is left waiting in the form's queue)."""
    context = new_context(locale=LOCALES[lang])
    page = context.new_page()
    page.set_default_timeout(10_000)
    g = mss.Guide(page, lang, True, mss.demo(MSS_MEMBER), mail)
    watch = SwapWatch(page)
    page.goto("/mss/register")
    g.step_03_fill_in_the_form()
    settle(page)
    held = []  # the panel's answer, asked of the server now (before Verify), given later
    page.route("**/mss/register/security", lambda route: held.append((route, route.fetch())))
    verifies, saves = [], []
    page.on("request", lambda sent: verifies.append(sent) if sent.url.endswith("/verify") else 0)
    page.on("request", lambda sent: saves.append(sent) if sent.url.endswith("/save") else 0)
    g.field("Email address").dispatch_event("change")
    _wait_for(page, lambda: held)
    page.get_by_role("button", name=g.t("Verify"), exact=True).click()
    if _wait_for(page, lambda: verifies, seconds=1):  # nothing orders Verify after it
        expect(page.locator("label[for=answer]")).to_contain_text("[1 / 2]")
    confirm = g.field("Confirm the email address")
    confirm.fill(g.typed.email.upper())  # not the identity's: the questions stay
    confirm.dispatch_event("change")
    page.wait_for_timeout(600)  # the save's delay (data-save-delay) gone by
    route, answer = held[0]
    route.fulfill(response=answer)
    settle(page)
    expect(page.locator("label[for=answer]")).to_contain_text("[1 / 2]")
    watch.assert_same_as_reload(context, "Verify selected with a panel answer on its way")
    if _wait_for(page, lambda: saves, seconds=3):
        saves[-1].response()
    reloaded = context.new_page()
    reloaded.goto("/mss/register")
    expect(reloaded.get_by_label(g.t("Confirm the email address"))).to_have_value(
        g.typed.email.upper())
    reloaded.close()


@pytest.mark.mss
def test_mss_read_and_accept_leaves_the_answers_of_verify_and_of_the_panel_to_land(
        new_context, lang, mail):
    """"Read and accept" answers the policy dialog only: Verify's answer and the panel's, on
    their way when it is pressed, still land (the panel is not what the button changes)."""
    context = new_context(locale=LOCALES[lang])
    page = context.new_page()
    page.set_default_timeout(10_000)
    g = mss.Guide(page, lang, True, mss.demo(MSS_MEMBER), mail)
    page.goto("/mss/register")
    g.step_03_fill_in_the_form()
    settle(page)
    held = []
    page.route("**/mss/register/verify", lambda route: held.append((route, route.fetch())))
    page.get_by_role("button", name=g.t("Verify"), exact=True).click()
    assert _wait_for(page, lambda: held)
    read = page.get_by_role("button", name=g.t("Read and accept"))
    read.click()  # queued behind Verify (the form's queue)
    route, answer = held[0]
    route.fulfill(response=answer)
    expect(page.locator("label[for=answer]")).to_contain_text("[1 / 2]")
    expect(page.get_by_role("dialog")).to_be_visible()

    page = new_context(locale=LOCALES[lang]).new_page()  # a new visitor: the panel's answer
    page.set_default_timeout(10_000)
    g = mss.Guide(page, lang, True, mss.demo(MSS_MEMBER), mail)
    page.goto("/mss/register")
    held = []
    page.route("**/mss/register/security", lambda route: held.append((route, route.fetch())))
    g.field("Email address").press_sequentially(g.typed.email, delay=5)
    assert _wait_for(page, lambda: held)
    page.get_by_role("button", name=g.t("Read and accept")).click()  # the email's change too
    expect(page.get_by_role("dialog")).to_be_visible()
    assert _wait_for(page, lambda: len(held) == 2, seconds=2)
    route, answer = held[-1]
    route.fulfill(response=answer)
    expect(page.locator("#verify")).to_be_visible()


def _wait_for(page, condition, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        page.wait_for_timeout(20)
    return bool(condition())


EP_MEMBER = "Rose-Aimée"  # no test registers her


@pytest.mark.espace_prive
def test_espace_prive_every_swap_is_what_a_reload_shows(new_context, lang, mail):
    context = new_context(locale=LOCALES[lang])
    page = context.new_page()
    page.set_default_timeout(10_000)
    member = espace_prive.demo(EP_MEMBER)
    g = espace_prive.Journey(page, lang, True, member, mail, shots="swap-")
    watch = SwapWatch(page)
    error = t(lang, "Error:")

    def after_swap(where: str, *, errors: bool = False) -> None:
        settle(page)
        if errors:
            assert watch.status_code >= 400, where
            assert_error_state_is_whole(page, error, where)
        else:
            watch.assert_same_as_reload(context, where)

    page.goto(f"/{espace_prive.PORTAL}/register/profile")
    g.choose(espace_prive.PROFILE_LABELS[member.facts["profile"]])
    g.next()
    g.expect_step(2, "Your identifier", "/identifier")
    after_swap("step 2")
    g.next()
    expect(page.locator(".error-summary")).to_be_visible()
    after_swap("step 2 without an identifier", errors=True)
    g.field("Social security number").fill(espace_prive.spaced_nir(member.identifier))
    g.wait_like_a_person()
    g.next()
    g.expect_step(3, "Your contact details", "/contact")
    after_swap("step 3")
    g.step_03_fill_in_your_contact_details()
    g.expect_step(4, "Verification of your identity", "/verification")
    after_swap("step 4")
    g.next()
    expect(page.locator(".error-summary")).to_be_visible()
    after_swap("step 4 unanswered", errors=True)
    g.choose("Yes")
    expect(page.locator("#status")).to_contain_text(
        g.t("New question below: %(question)s", question=""))
    after_swap("Yes after the error")
    g.choose("With a photo" if member.facts["vitale_kind"] == "photo" else "Without a photo")
    expect(g.field("Serial number of your Carte Vitale")).to_be_visible()
    after_swap("card kind chosen")
    page.get_by_role("link", name=g.t("I cannot read this number")).click()
    expect(page).to_have_url(re.compile(r"/verification/other$"))
    after_swap("I cannot read this number")
    g.next("Previous")
    expect(g.field("Serial number of your Carte Vitale")).to_be_visible()
    after_swap("back to the serial number")
    g.field("Serial number of your Carte Vitale").fill(member.facts["vitale_serial"])
    g.next()
    g.expect_step(5, "Receive your password", "/password")
    after_swap("step 5")
    g.next()
    g.expect_step(6, "Accept the general terms of use", "/terms")
    after_swap("step 6")


def _at_verification(new_context, lang, mail):
    """A new visitor's page, steps 1 to 3 answered (step 4's page shown): the browser's
    context, the page, its journey and its swaps."""
    context = new_context(locale=LOCALES[lang])
    page = context.new_page()
    page.set_default_timeout(10_000)
    member = espace_prive.demo(EP_MEMBER)
    g = espace_prive.Journey(page, lang, True, member, mail)
    watch = SwapWatch(page)
    page.goto(f"/{espace_prive.PORTAL}/register/profile")
    g.choose(espace_prive.PROFILE_LABELS[member.facts["profile"]])
    g.next()
    g.step_02_enter_the_social_security_number()
    g.step_03_fill_in_your_contact_details()
    g.expect_step(4, "Verification of your identity", "/verification")
    return context, page, g, watch


def _held(page, question: str) -> list:
    """The answers to the radios of ``question``: asked of the server at once, given to the
    page when the test says so."""
    held = []
    page.route(f"**/verification/choice/{question}",
               lambda route: held.append((route, route.fetch())))
    return held


def _given_late(page, held: list) -> None:
    route, answer = held[0]
    assert answer.headers.get("hx-retarget") == "#main"  # the whole step 4, once landed
    route.fulfill(response=answer)
    page.wait_for_timeout(300)
    settle(page)


@pytest.mark.espace_prive
def test_espace_prive_a_choice_answer_in_flight_when_the_step_is_left_never_lands_over_it(
        new_context, lang, mail):
    """A radio answers the step's whole page when the page shows errors (it replaces #main);
    that answer, still on its way when Précédent (or Suivant) is pressed, must not land over
    the page the button leads to: the page stays what a reload of its URL shows."""
    context, page, g, watch = _at_verification(new_context, lang, mail)
    g.next()
    expect(page.locator(".error-summary")).to_be_visible()
    held = _held(page, "health")
    g.choose("Yes")
    assert _wait_for(page, lambda: held)
    g.next("Previous")
    g.expect_step(3, "Your contact details", "/contact")
    _given_late(page, held)
    g.expect_step(3, "Your contact details", "/contact")
    watch.assert_same_as_reload(context, "Précédent with a choice's answer on its way")


@pytest.mark.espace_prive
def test_espace_prive_a_choice_answer_in_flight_when_a_link_replaces_the_step_never_lands(
        new_context, lang, mail):
    """The same for a link that loads another page of the step into #main ("I cannot read
    this number"), followed while a change of the card's kind is still on its way."""
    context, page, g, watch = _at_verification(new_context, lang, mail)
    g.choose("Yes")
    g.choose("With a photo")
    expect(g.field("Serial number of your Carte Vitale")).to_be_visible()
    g.next()  # no serial number: the page shows errors
    expect(page.locator(".error-summary")).to_be_visible()
    held = _held(page, "card")
    g.choose("Without a photo")
    assert _wait_for(page, lambda: held)
    page.get_by_role("link", name=g.t("I cannot read this number")).click()
    expect(page).to_have_url(re.compile(r"/verification/other$"))
    _given_late(page, held)
    expect(page).to_have_url(re.compile(r"/verification/other$"))
    watch.assert_same_as_reload(context, "a link followed with a choice's answer on its way")
