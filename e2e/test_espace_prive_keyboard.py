"""The espace-prive journey with the keyboard only: Tab, arrows, Space and Enter, focus always
visible (French with JavaScript, English without), from the home page to the member space."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import LOCALES, tab_to
from e2e.journeys.espace_prive import (
    NEW_PASSWORD,
    PORTAL,
    Journey,
    demo,
    provisional_password,
    spaced_nir,
)

pytestmark = [pytest.mark.espace_prive, pytest.mark.keyboard,
              pytest.mark.usefixtures("fresh_counters")]


def type_in(page: Page, role: str, name: str, text: str) -> None:
    tab_to(page, role, name)
    page.keyboard.type(text)


def submit_with_enter(page: Page) -> None:
    """Without JS, Enter on a radio submits its form: wait for the next page before tabbing."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def choose(page: Page, first: str, wanted: str, options: list[str]) -> None:
    """Tab into a radio group (its first option), then arrows to the wanted one."""
    tab_to(page, "radio", first)
    for _ in range(options.index(wanted)):
        page.keyboard.press("ArrowDown")
    if options.index(wanted) == 0:
        page.keyboard.press("Space")
    expect(page.get_by_role("radio", name=wanted, exact=True)).to_be_checked()


@pytest.mark.parametrize(("lang", "js", "who"), [
    pytest.param("fr", True, "Zoé", id="fr-js-on"),
    pytest.param("en", False, "Patrick", id="en-js-off", marks=pytest.mark.nojs)])
def test_keyboard_only_journey(new_context, lang, js, who, mail):
    page = new_context(locale=LOCALES[lang], java_script_enabled=js).new_page()
    member = demo(who)
    g = Journey(page, lang, js, member, mail, shots="keyboard-")
    page.goto(f"/{PORTAL}/")
    tab_to(page, "link", g.t("Register"))
    page.keyboard.press("Enter")
    g.expect_step(1, "Create my private space", "/profile")
    profiles = [g.t(label) for label in ("Farmer", "Company", "Individual",
                                        "Employer of a gardener as a private individual",
                                        "Solidarity contributor", "Other…")]
    wanted = g.t("Individual" if member.facts["profile"] == "particulier"
                 else "Employer of a gardener as a private individual")
    choose(page, profiles[0], wanted, profiles)
    tab_to(page, "button", g.t("Next"))
    page.keyboard.press("Enter")

    g.expect_step(2, "Your identifier", "/identifier")
    type_in(page, "textbox", g.t("Social security number"), spaced_nir(member.identifier))
    g.wait_like_a_person()
    page.keyboard.press("Enter")  # Enter in the field means Suivant

    g.expect_step(3, "Your contact details", "/contact")
    born = member.birth_date
    for label, value in [("Last name", member.last_name), ("First name", member.first_names),
                         ("Day", str(born.day)), ("Month", str(born.month)),
                         ("Year", str(born.year)), ("Email address", member.email)]:
        type_in(page, "textbox", g.t(label), value)
    page.keyboard.press("Enter")

    g.expect_step(4, "Verification of your identity", "/verification")
    yes_no = [g.t("Yes"), g.t("No")]
    if member.facts["vitale_serial"]:
        choose(page, yes_no[0], yes_no[0], yes_no)
        if js:
            expect(page.get_by_role("radio", name=yes_no[0])).to_be_focused()  # focus stays
        else:
            submit_with_enter(page)
        kinds = [g.t("With a photo"), g.t("Without a photo")]
        kind = kinds[0] if member.facts["vitale_kind"] == "photo" else kinds[1]
        choose(page, kinds[0], kind, kinds)
        if not js:
            submit_with_enter(page)
        type_in(page, "textbox", g.t("Serial number of your Carte Vitale"),
                member.facts["vitale_serial"])
    else:
        choose(page, yes_no[0], yes_no[1], yes_no)
        if not js:
            submit_with_enter(page)
        others = [g.t("The IBAN of the bank account your benefits are paid to"),
                  g.t("I cannot give any of these")]
        choose(page, others[0], others[0], others)
        if not js:
            submit_with_enter(page)
        type_in(page, "textbox", g.t("IBAN"), member.facts["iban"])
    page.keyboard.press("Enter")

    g.expect_step(5, "Receive your password", "/password")
    tab_to(page, "button", g.t("Next"), max_tabs=60)
    page.keyboard.press("Enter")
    g.expect_step(6, "Accept the general terms of use", "/terms")
    tab_to(page, "button", g.t("Finalise my registration by accepting the general terms of use"))
    page.keyboard.press("Enter")
    expect(g.heading()).to_have_text(g.t("Registration complete"))

    tab_to(page, "link", g.t("Log in to %(site)s", site=g.site))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/{PORTAL}/login$"))
    page.wait_for_load_state()
    type_in(page, "textbox", g.t("Social security number"), member.identifier)
    page.keyboard.press("Tab")
    page.keyboard.type(provisional_password(mail, member.email))
    page.keyboard.press("Enter")
    expect(g.heading()).to_have_text(g.t("Choose your own password"))
    page.keyboard.press("Tab")
    tab_to(page, "textbox", g.t("New password"))
    page.keyboard.type(NEW_PASSWORD)
    tab_to(page, "textbox", g.t("Confirm the new password"))
    page.keyboard.type(NEW_PASSWORD)
    page.keyboard.press("Enter")
    expect(g.heading()).to_contain_text(member.first_names)
