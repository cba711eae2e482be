"""Error summaries as GOV.UK's: the focus moves once, to the summary; every link leads to a
control that exists, focuses it, and shows what names it (its label or legend) on screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import LOCALES
from e2e.journeys import espace_prive, mss

pytestmark = [pytest.mark.a11y, pytest.mark.usefixtures("fresh_counters")]

# Every element that receives focus, from the page's first script on (but the buttons clicked).
FOCUS_LOG = """window.__focused = [];
document.addEventListener("focusin", e => e.target.matches("button") || window.__focused.push(
  e.target.id || e.target.classList[0] || e.target.tagName), true);"""

TARGET = """id => {
  const field = document.getElementById(id);
  if (!field) return {exists: false};
  const fieldset = field.closest("fieldset");
  const legend = fieldset && fieldset.querySelector("legend");
  const label = document.querySelector(`label[for="${CSS.escape(id)}"]`);
  const caption = (field === fieldset || field.type === "radio" || field.type === "checkbox")
    ? legend : (label || legend || field);
  const box = caption.getBoundingClientRect();
  return {exists: true, focused: document.activeElement === field,
          caption: caption.textContent.trim().slice(0, 60),
          inView: box.top > -1 && box.bottom < innerHeight + 1};  // sub-pixel scrolling
}"""


def focus_log(page: Page) -> list[str]:
    return page.evaluate("window.__focused.splice(0)")


def follow_every_link(page: Page, state: str, *, js: bool = True) -> int:
    """Click each link of the error summary, from the top of the page; return how many."""
    links = page.locator(".error-summary a")
    count = links.count()
    assert count, f"{state}: no link in the error summary"
    for index in range(count):
        page.evaluate("window.scrollTo(0, 0)")
        link = links.nth(index)
        target = link.get_attribute("href").removeprefix("#")
        link.click()
        found = page.evaluate(TARGET, target)
        assert found["exists"], f"{state}: the link to #{target} leads nowhere"
        if js:
            assert found["focused"], f"{state}: #{target} is not focused"
            assert found["inView"], f"{state}: {found['caption']!r} of #{target} is off screen"
    return count


def js_page(new_context, lang: str) -> Page:
    context = new_context(locale=LOCALES[lang])
    context.add_init_script(FOCUS_LOG)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


@pytest.mark.mss
@pytest.mark.local  # a registry mismatch is a counted failure
def test_mss_summaries(new_context, lang, mail):
    page = js_page(new_context, lang)
    g = mss.Guide(page, lang, True, mss.demo("001234567"), mail)
    page.goto("/mss/register")
    focus_log(page)
    page.get_by_role("button", name=g.t("Register"), exact=True).click()
    expect(page.locator(".error-summary")).to_be_focused()
    assert focus_log(page) == ["error-summary"]
    assert follow_every_link(page, "empty form") == 8  # "Verify your identity" included
    g.step_03_fill_in_the_form()
    g.field("Last name").fill("Someone-Else")
    g.field("Year").fill("1900")
    focus_log(page)
    page.get_by_role("button", name=g.t("Verify"), exact=True).click()
    expect(page.locator(".error-summary")).to_be_focused()
    assert focus_log(page) == ["error-summary"]
    follow_every_link(page, "registry mismatch (htmx)")
    page.get_by_role("button", name=g.t("Register"), exact=True).click()
    expect(page.locator(".error-summary")).to_be_focused()
    assert follow_every_link(page, "Register before Verify") == 2


@pytest.mark.mss
@pytest.mark.nojs
def test_mss_summary_without_js(new_context, lang, mail):
    page = new_context(locale=LOCALES[lang], java_script_enabled=False).new_page()
    g = mss.Guide(page, lang, False, mss.demo("001234567"), mail)
    page.goto("/mss/register")
    page.get_by_role("button", name=g.t("Register"), exact=True).click()
    assert follow_every_link(page, "empty form (no JS)", js=False) == 8


@pytest.mark.espace_prive
def test_espace_prive_summaries(new_context, lang, mail):
    page = js_page(new_context, lang)
    member = espace_prive.demo("Rose-Aimée")
    g = espace_prive.Journey(page, lang, True, member, mail, shots="summary-")
    page.goto(f"/{espace_prive.PORTAL}/register/profile")
    focus_log(page)
    g.next()
    expect(page.locator(".error-summary")).to_be_focused()
    assert focus_log(page) == ["error-summary"]
    follow_every_link(page, "profile unanswered")
    g.choose(espace_prive.PROFILE_LABELS[member.facts["profile"]])
    g.next()
    g.expect_step(2, "Your identifier", "/identifier")
    g.field("Social security number").fill(espace_prive.spaced_nir(member.identifier))
    g.wait_like_a_person()
    g.next()
    g.expect_step(3, "Your contact details", "/contact")
    g.field("Email address").fill("not-an-email")
    focus_log(page)
    g.next()
    expect(page.locator(".error-summary")).to_be_focused()
    assert focus_log(page) == ["error-summary"]
    assert follow_every_link(page, "contact details") >= 4
