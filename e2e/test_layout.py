"""Layout in a real browser, at 320 px and at desktop width, in both languages: every target
(buttons, fields, radio labels, links standing alone) is at least 44 px high (DESIGN.md; WCAG
2.5.8 asks 24), and at 320 px nothing scrolls sideways (WCAG 1.4.10 reflow)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import LOCALES

pytestmark = pytest.mark.a11y
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
}

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


@pytest.mark.parametrize("name", list(PAGES))
def test_targets_are_44_px_high_and_320_px_does_not_scroll_sideways(new_context, lang, width, name):
    context = new_context(locale=LOCALES[lang], viewport=WIDTHS[width])
    page = context.new_page()
    page.set_default_timeout(10_000)
    path, action = PAGES[name]
    page.goto(path)
    page.wait_for_load_state("networkidle")
    if action:
        action(page)

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
