"""Layout in a real browser, at 320 px and at desktop width, in both languages: every target
(buttons, fields, radio labels, links standing alone) is at least 44 px high (the design rule; WCAG
2.5.8 asks 24), and at 320 px nothing scrolls sideways (WCAG 1.4.10 reflow).

The pages are served with the longest demo email as the support address and a 60-character
support URL (both printed on every page), and the states that print a member's email (the mss
confirmation, the espace-prive recap and done page, the member spaces) are reached with the
longest demo emails: what a member or a fund writes must wrap, not push the page sideways."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.helpers import LOCALES
from e2e.journeys import espace_prive, mss
from e2e.live_server import LiveServer
from e2e.mail import DevMailbox
from e2e.page_state import settle
from web.operations.demo import DEMO_PASSWORD, demo_identities

pytestmark = [pytest.mark.a11y, pytest.mark.local]  # a server of its own (long addresses)
MIN_TARGET = 44
WIDTHS = {"320px": {"width": 320, "height": 640}, "desktop": {"width": 1280, "height": 800}}


def submit_empty(button: str) -> Callable[[Page], None]:
    """Press the form's button with nothing typed: the page comes back with its errors."""

    def action(page: Page) -> None:
        page.locator(button).click()
        expect(page.locator(".error-summary")).to_be_visible()

    return action


def open_abandon_dialog(page: Page) -> None:
    page.locator("main a.dialog-link").first.click()
    expect(page.locator("dialog[open]")).to_be_visible()


def lock_verification(page: Page) -> None:
    """Three registry mismatches: the mss security block locked."""
    fill_mss_form(page, mss.demo("000555001"), last_name="Nobody")
    for _ in range(3):
        page.locator("#verify").click()
        expect(page.locator(".error-summary")).to_be_visible()
        if page.locator("#security-help").count():
            break


def fill_mss_form(page: Page, member, **changes) -> None:
    typed = mss.Typed.of(member)
    values = {"uid": typed.uid, "first_names": typed.first_names, "last_name": typed.last_name,
              "birth_day": typed.day, "birth_month": typed.month, "birth_year": typed.year,
              "email": typed.email, "email_confirm": typed.email, **changes}
    for field_id, value in values.items():
        page.locator(f"#{field_id}").fill(value)
    page.locator("#email").dispatch_event("change")
    expect(page.locator("#verify")).to_be_visible()


PAGES: dict[str, tuple[str, Callable[[Page], None] | None]] = {
    "portal-list": ("/", None),
    "mss-home": ("/mss/", None),
    "mss-login-errors": ("/mss/login", submit_empty("main .button--primary")),
    "mss-register-errors": ("/mss/register", submit_empty("#register-button")),
    "espace-prive-home": ("/espace-prive/", None),
    "espace-prive-profile": ("/espace-prive/register", None),
    "espace-prive-profile-errors": (
        "/espace-prive/register",
        submit_empty("main .button--primary"),
    ),
    "espace-prive-abandon-dialog": ("/espace-prive/register", open_abandon_dialog),
    "not-found": ("/mss/no-such-page", None),
    "mss-forgot": ("/mss/forgot", None),
    "mss-forgot-sent": ("/mss/forgot/sent", None),
    "mss-link-invalid": ("/mss/reset/no-such-token", None),
    "mss-uid-help": ("/mss/register/uid", None),
    "espace-prive-identifier-help": ("/espace-prive/register/identifier/help", None),
    "mss-register-long-email": (
        "/mss/register", lambda page: fill_mss_form(page, mss.demo("012345678"))),
    "mss-lockout": ("/mss/register", lock_verification),
    # Reached in a session prepared once (see SESSIONS).
    "mss-confirmation": ("/mss/register/done", None),
    "mss-member-space": ("/mss/account", None),
    "espace-prive-recap": ("/espace-prive/register/password", None),
    "espace-prive-done": ("/espace-prive/register/done", None),
    "espace-prive-member-space": ("/espace-prive/account", None),
}
LONGEST_EMAIL = max((m.email for p in ("mss", "espace-prive") for m in demo_identities(p)
                     if m.email), key=len)
LONG_URL = "https://aide.espace.example.org/contact/formulaire-de-contact"
LONG_URL += "-" * (60 - len(LONG_URL))


@pytest.fixture(scope="module")
def wide_server(tmp_path_factory):
    branding = tmp_path_factory.mktemp("branding") / "branding.json"
    values = {"support_email": LONGEST_EMAIL, "support_url": LONG_URL}
    branding.write_text(json.dumps({"mss": values, "espace-prive": values}))
    with LiveServer(extra_env={"ESPACE_BRANDING_FILE": str(branding)}) as server:
        yield server


def register_mss(page: Page, server: LiveServer) -> None:
    """The member with the longest email registers: the confirmation page shows it."""
    guide = mss.Guide(page, "fr", True, mss.demo("012345678"), DevMailbox(server.url))
    guide.show = guide.check = lambda *_args, **_kwargs: None
    page.goto("/mss/register")
    guide.step_03_fill_in_the_form()
    guide.step_04_verify_and_answer_the_security_questions()
    guide.step_05_read_and_accept_the_policy()
    guide.step_06_register()


def log_in(portal: str) -> Callable[[Page, LiveServer], None]:
    def action(page: Page, _server: LiveServer) -> None:
        member = next(m for m in demo_identities(portal) if m.has_account)
        page.goto(f"/{portal}/login")
        page.locator("main #login").fill(member.login)
        page.locator("main #password").fill(DEMO_PASSWORD)
        page.locator("main #password").press("Enter")
        expect(page).to_have_url(re.compile(f"/{portal}/account$"))

    return action


def espace_prive_to_recap(page: Page, server: LiveServer, *, finish: bool = False) -> None:
    """Steps 1 to 5 with the longest email typed (the registry does not hold it); then, with
    ``finish``, the policy and the done page, for the member whose registry email is longest."""
    member = espace_prive.demo("Anne-Sophie Marie-Thérèse Éléonore" if finish else "Zoé")
    journey = espace_prive.Journey(page, "fr", True, member, DevMailbox(server.url))
    journey.show = journey.check = lambda *_args, **_kwargs: None
    journey.step_01_click_register_and_choose_who_you_are()
    journey.step_02_enter_the_social_security_number()
    if finish:
        journey.step_03_fill_in_your_contact_details()
    else:
        fill_contact(journey)
    journey.step_04_verify_your_identity_with_the_carte_vitale()
    if finish:
        journey.step_05_confirm_the_email_address()
        journey.step_06_accept_the_terms_of_use()
        journey.step_07_registration_complete()  # the session kept once there, not before


def fill_contact(journey) -> None:
    journey.expect_step(3, "Your contact details", "/contact")
    member = journey.member
    for label, value in (("Last name", member.last_name), ("First name", member.first_names),
                         ("Day", str(member.birth_date.day)),
                         ("Month", str(member.birth_date.month)),
                         ("Year", str(member.birth_date.year)), ("Email address", LONGEST_EMAIL)):
        journey.field(label).fill(value)
    journey.next()


SESSIONS: dict[str, Callable[[Page, LiveServer], None]] = {
    "mss-confirmation": register_mss,
    "mss-member-space": log_in("mss"),
    "espace-prive-recap": espace_prive_to_recap,
    "espace-prive-done": lambda page, server: espace_prive_to_recap(page, server, finish=True),
    "espace-prive-member-space": log_in("espace-prive"),
}


SHOWS_EMAIL = {
    "mss-confirmation": LONGEST_EMAIL,
    "espace-prive-recap": LONGEST_EMAIL,
    "espace-prive-done": espace_prive.demo("Anne-Sophie Marie-Thérèse Éléonore").email,
}


@pytest.fixture(scope="module")
def sessions(browser: Browser, wide_server):
    """The cookies of each prepared session, made the first time a test needs it."""
    made: dict[str, dict] = {}

    def session(name: str) -> dict | None:
        if name in SESSIONS and name not in made:
            context = browser.new_context(base_url=wide_server.url, locale=LOCALES["fr"])
            page = context.new_page()
            page.set_default_timeout(15_000)
            SESSIONS[name](page, wide_server)
            made[name] = context.storage_state()
            context.close()
        return made.get(name)

    return session

# Each rendered target shorter than MIN_TARGET: a radio or checkbox is measured by its label
# (the target a person clicks); a link counts unless it sits in a sentence (text of its own
# beside it in its parent), which WCAG exempts: alone in a paragraph, a list item or a button
# group it is measured.
SMALL_TARGETS = """min => {
  // A robot trap (aria-hidden, clipped out of sight) is no one's target.
  const rendered = el => el.getClientRects().length > 0 && !el.closest("[aria-hidden=true]")
    && getComputedStyle(el).visibility !== "hidden";
  const inText = a => [...a.parentElement.childNodes].some(
    node => node.nodeType === Node.TEXT_NODE && node.textContent.trim());
  const targets = [
    ...document.querySelectorAll("button, select, textarea, summary, [role=button]"),
    ...[...document.querySelectorAll("input:not([type=hidden])")].map(
      input => ["radio", "checkbox"].includes(input.type) ? input.labels[0] || input : input),
    ...[...document.querySelectorAll("a[href]")].filter(a => !inText(a)),
  ];
  return [...new Set(targets)].filter(rendered).map(el => {
    const box = el.getBoundingClientRect();
    const name = (el.textContent.trim() || el.getAttribute("name") || el.id).slice(0, 40);
    return {target: `${el.tagName.toLowerCase()}.${el.className} "${name}"`, height: box.height};
  }).filter(found => found.height < min);
}"""

SIDEWAYS = """() => ({
  page: document.documentElement.scrollWidth, view: document.documentElement.clientWidth,
  wide: [...document.querySelectorAll("body *")]
    .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
    .map(el => `${el.tagName.toLowerCase()}.${el.className}`).slice(0, 5),
})"""


@pytest.fixture(params=list(WIDTHS))
def width(request) -> str:
    return request.param


@pytest.fixture(autouse=True)
def fresh_counters(wide_server):
    """Every state comes from 127.0.0.1: the lockout of one must not lock the next."""
    wide_server.clear_counters()


@pytest.fixture
def wide_context(browser, lang, width, wide_server):
    """A browser context on the server with long support addresses (closed after the test)."""
    contexts = []

    def make(storage_state: dict | None = None):
        contexts.append(browser.new_context(locale=LOCALES[lang], viewport=WIDTHS[width],
                                            base_url=wide_server.url, storage_state=storage_state))
        return contexts[-1]

    yield make
    for context in contexts:
        context.close()


@pytest.mark.parametrize("name", list(PAGES))
def test_targets_are_44_px_high_and_320_px_does_not_scroll_sideways(
    wide_context, sessions, wide_server, lang, width, name
):
    page = wide_context(sessions(name)).new_page()
    page.set_default_timeout(10_000)
    path, action = PAGES[name]
    page.goto(path)
    settle(page)
    if action:
        action(page)
    if name in SESSIONS:  # the prepared session holds the state (no redirect elsewhere)
        assert page.url == wide_server.url + path
    if name in SHOWS_EMAIL:
        expect(page.get_by_role("main")).to_contain_text(SHOWS_EMAIL[name])

    small = page.evaluate(SMALL_TARGETS, MIN_TARGET)
    assert not small, f"{name} ({lang}, {width}): targets under {MIN_TARGET} px: {small}"
    if width == "320px":
        sideways = page.evaluate(SIDEWAYS)
        assert sideways["page"] <= sideways["view"], f"{name} ({lang}) scrolls sideways: {sideways}"


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two computed colours ("rgb(r, g, b)")."""

    def luminance(colour: str) -> float:
        channels = [int(part) / 255 for part in colour[colour.index("(") + 1 : -1].split(",")[:3]]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_focused_error_summary_has_a_ring_of_3_to_1_on_the_page(new_context, lang):
    page = new_context(locale=LOCALES[lang]).new_page()
    page.goto("/mss/login")
    submit_empty("main .button--primary")(page)
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    ring = summary.evaluate(
        """el => ({outline: getComputedStyle(el).outlineColor,
                   width: parseFloat(getComputedStyle(el).outlineWidth),
                   paper: getComputedStyle(document.body).backgroundColor})"""
    )
    assert ring["width"] >= 2
    assert contrast(ring["outline"], ring["paper"]) >= 3, ring
