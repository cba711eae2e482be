"""The foundation in a real browser: portal list, homes, 404, accessibility statement, the
language switch; in French and English, with JavaScript on and off, axe on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import assert_accessible, portal_text, screenshot, t
from e2e.page_state import settle
from web.branding import DEFAULT_PORTALS

PORTALS = list(DEFAULT_PORTALS)
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}


@pytest.mark.parametrize("portal", PORTALS)
def test_portal_home_renders_in_the_browser_language(lang_page: Page, lang, js, portal):
    response = lang_page.goto(f"/{portal}/")
    assert response.status == 200
    expect(lang_page.locator("html")).to_have_attribute("lang", lang)
    expect(lang_page.get_by_role("heading", level=1)).to_be_visible()
    expect(
        lang_page.get_by_role("banner").get_by_role(
            "link", name=portal_text(portal, lang), exact=False
        )
    ).to_be_visible()
    screenshot(lang_page, portal, lang, 1, "home", js=js)
    assert_accessible(lang_page, f"{portal} home ({lang})")


@pytest.mark.a11y
@pytest.mark.parametrize(
    "path, status",
    [
        ("/", 200),
        ("/mss/", 200),
        ("/espace-prive/", 200),
        ("/mss/accessibilite", 200),
        ("/espace-prive/accessibilite", 200),
        ("/mss/no-such-page", 404),
        ("/no-such-page", 404),
    ],
)
def test_page_has_no_axe_violation(lang_page: Page, lang, path, status):
    response = lang_page.goto(path)
    assert response.status == status
    expect(lang_page.locator("html")).to_have_attribute("lang", lang)
    assert_accessible(lang_page, f"{path} ({lang})")


def test_404_page_is_localized_and_leads_home(lang_page: Page, lang):
    response = lang_page.goto("/mss/no-such-page")
    assert response.status == 404
    title = t(lang, "Page not found")
    expect(lang_page.get_by_role("heading", level=1)).to_have_text(title)
    expect(lang_page).to_have_title(
        f"{t(lang, 'Error:')} {title} – {portal_text('mss', lang)}"
    )
    lang_page.get_by_role("link", name=t(lang, "Go to the home page")).click()
    expect(lang_page).to_have_url(lang_page.url.split("/mss/")[0] + "/mss/")


@pytest.mark.parametrize("portal", PORTALS)
def test_accessibility_statement_is_linked_from_the_footer(lang_page: Page, lang, portal):
    lang_page.goto(f"/{portal}/")
    lang_page.get_by_role("contentinfo").get_by_role(
        "link", name=t(lang, "Accessibility: not compliant")
    ).click()
    expect(lang_page.get_by_role("heading", level=1)).to_have_text(
        t(lang, "Accessibility statement")
    )
    assert_accessible(lang_page, f"{portal} accessibility statement")


def test_language_switch_changes_and_remembers_the_language(lang_page: Page, lang, js):
    other = "en" if lang == "fr" else "fr"
    lang_page.goto("/mss/accessibilite")
    switch = lang_page.get_by_role("navigation", name=t(lang, "Language"))
    expect(switch.locator("[aria-current]")).to_have_text(LANGUAGE_NAMES[lang])
    switch.get_by_role("link", name=LANGUAGE_NAMES[other]).click()

    expect(lang_page.locator("html")).to_have_attribute("lang", other)
    assert lang_page.url.split("?")[0].endswith("/mss/accessibilite"), "the switch keeps the page"
    expect(
        lang_page.get_by_role("banner").get_by_role(
            "link", name=portal_text("mss", other), exact=False
        )
    ).to_be_visible()
    assert_accessible(lang_page, f"/mss/accessibilite switched to {other}")

    # Remembered: another page, without ?lang, in a browser that still asks for `lang`.
    lang_page.goto("/espace-prive/accessibilite")
    expect(lang_page.locator("html")).to_have_attribute("lang", other)
    lang_page.goto("/")
    expect(lang_page.locator("html")).to_have_attribute("lang", other)


@pytest.mark.parametrize(
    "portal, typed", [("mss", "quelqu.un@example.org"), ("espace-prive", "2850397411023")]
)
def test_language_switch_on_a_home_keeps_the_typed_login(lang_page: Page, lang, js, portal, typed):
    other = "en" if lang == "fr" else "fr"
    lang_page.goto(f"/{portal}/")
    login = lang_page.locator("#login")
    login.fill(typed)
    lang_page.locator("#password").fill("never kept")
    lang_page.get_by_role("navigation", name=t(lang, "Language")).get_by_role(
        "button", name=LANGUAGE_NAMES[other]
    ).click()

    expect(lang_page.locator("html")).to_have_attribute("lang", other)
    expect(lang_page).to_have_url(f"{lang_page.url.split(f'/{portal}/')[0]}/{portal}/")
    expect(login).to_have_value(typed)
    expect(lang_page.locator("#password")).to_have_value("")
    screenshot(lang_page, portal, other, 1, f"home-switched-from-{lang}", js=js)
    assert_accessible(lang_page, f"/{portal}/ switched to {other}")


@pytest.mark.keyboard
def test_skip_link_is_first_and_moves_to_main(lang_page: Page, lang, js):
    lang_page.goto("/mss/")
    lang_page.keyboard.press("Tab")
    skip = lang_page.get_by_role("link", name=t(lang, "Skip to main content"))
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    lang_page.keyboard.press("Enter")
    expect(lang_page.locator("main")).to_be_focused()


def test_an_error_answering_htmx_replaces_the_main_content_only(js_on_context, lang):
    """The form expired (no cookie any more) when Suivant is pressed: with htmx the 403 page
    takes the place of the main content, once, with the focus on its heading."""
    page = js_on_context.new_page()
    page.goto("/espace-prive/register")
    settle(page)
    js_on_context.clear_cookies()
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name=t(lang, "Next")).click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(t(lang, "Your form has expired"))
    expect(heading).to_be_focused()
    expect(page.locator("main")).to_have_count(1)
    expect(page.locator("header.site-header")).to_have_count(1)
    # the header is the error page's: no button names the form that left with the step
    expect(page.locator("header [form]")).to_have_count(0)
    expect(page.locator("header .lang-switch a")).to_have_count(1)
    assert_accessible(page, f"expired form swapped in ({lang})")
