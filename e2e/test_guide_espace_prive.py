"""The guide "Je crée Mon espace privé sur Internet" in a real browser: steps 1 to 7 and the
first log-in (e2e/journeys/espace_prive.py), in French and English, with JavaScript on and off;
then the postal variant, the company (SIRET) variant, the "cannot read the serial number" path,
Abandonner and Précédent. With ``--save-screens`` each screen is saved in
``e2e/artifacts/espace-prive/<lang>/``.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import JS_MODES
from e2e.journeys.espace_prive import (
    JOURNEY_MEMBERS,
    PORTAL,
    Journey,
    demo,
    spaced_nir,
)
from web.operations.demo import DemoMember, demo_identities
from web.portals.espace_prive.checks import format_identifier

pytestmark = [pytest.mark.espace_prive, pytest.mark.usefixtures("fresh_counters")]


def test_guide_espace_prive(lang_page: Page, lang: str, js: bool, mail) -> None:
    """Guide steps 1–7 and the first log-in, fr and en, with JavaScript on and off."""
    Journey(lang_page, lang, js, demo(JOURNEY_MEMBERS[lang, js]), mail).follow()


@pytest.mark.local
@pytest.mark.parametrize("js", JS_MODES)
def test_postal_variant(new_context, js, live_server, mail, tmp_path) -> None:
    """No verification fact at all: "I cannot give any of these" → a letter by post, listed
    and exported by `espace letters`; its provisional password opens the first log-in."""
    page = new_context(locale="fr-FR", java_script_enabled=js).new_page()
    member = demo("Théo") if js else demo("Marcel")
    g = Journey(page, "fr", js, member, mail, shots="postal-")
    g.step_01_click_register_and_choose_who_you_are()
    g.step_02_enter_the_social_security_number()
    if not member.email:  # this member has none in the registry: gives one
        member = DemoMember(**{**member.__dict__, "email": "marcel.lagrange@example.net"})
        g.member = member
    g.step_03_fill_in_your_contact_details()
    g.expect_step(4, "Verification of your identity", "/verification")
    g.choose("No")
    g.follow_up("/verification/other")
    g.choose("I cannot give any of these")
    g.follow_up("/verification/postal")
    expect(page.get_by_role("heading", name=g.t("Your password will be sent by post"))
           ).to_be_visible()
    g.show("verification")
    g.check("postal delivery")
    g.next()
    g.expect_step(5, "Receive your password", "/password")
    expect(page.get_by_role("main")).to_contain_text(g.t(
        "Your identity could not be verified online: you will receive your provisional "
        "password by post, at the postal address we hold for you."))
    g.check("receive your password by post")
    g.next()
    g.next("Finalise my registration by accepting the general terms of use")
    g.step_07_registration_complete(postal=True)
    with live_server.database() as db:
        letters = db.execute("SELECT l.id, l.address FROM letter l JOIN account a ON a.id = "
                             "l.account_id WHERE a.login = ?", (member.identifier,)).fetchall()
    assert [address for _id, address in letters] == [member.address]
    number = letters[0][0]
    one_line = ", ".join(line.strip() for line in member.address.splitlines())
    name = f"{member.first_names} {member.last_name}"
    listed = live_server.espace("letters", "list")
    assert re.search(rf"^#{number} .* waiting  {re.escape(name)} – {re.escape(one_line)}$",
                     listed, re.M), listed
    live_server.espace("letters", "export", str(tmp_path))
    letter = (tmp_path / f"letter-{number:06d}.txt").read_text("utf-8")
    assert letter.startswith(f"{name}\n{member.address}")
    assert f"Identifiant : {format_identifier(member.identifier)}" in letter
    assert f"#{number} " not in live_server.espace("letters", "list")  # posted once
    password = letter.split("Mot de passe provisoire : ")[1].split()[0]
    page.goto(f"/{PORTAL}/login")
    main = page.get_by_role("main")
    main.get_by_role("textbox", name=g.t("Social security number")).fill(member.identifier)
    main.get_by_label(re.compile("^" + g.t("Password"))).fill(password)
    main.get_by_role("button", name=g.t("Log in"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/account/new-password$"))


@pytest.mark.parametrize("js", JS_MODES)
def test_company_variant(new_context, js, mail) -> None:
    """Entreprise: the SIRET, the company's name and date of creation, then its IBAN."""
    company = [m for m in demo_identities(PORTAL) if m.facts["profile"] == "entreprise"]
    member = company[0] if js else company[1]
    page = new_context(locale="fr-FR", java_script_enabled=js).new_page()
    g = Journey(page, "fr", js, member, mail, shots="company-")
    # Its accountant's address: not the registry's, so it is confirmed by a code.
    g.member = member = DemoMember(**{**member.__dict__, "email": "compta." + member.email})
    g.step_01_click_register_and_choose_who_you_are()
    g.expect_step(2, "Your identifier", "/identifier")
    g.field("SIRET number").fill(f"{member.identifier[:3]} {member.identifier[3:6]} "
                                 f"{member.identifier[6:9]} {member.identifier[9:]}")
    g.check("SIRET")
    g.wait_like_a_person()
    g.next()
    g.expect_step(3, "Your contact details", "/contact")
    g.field("Company name").fill(member.last_name)
    g.field("Day").fill(str(member.birth_date.day))
    g.field("Month").fill(str(member.birth_date.month))
    g.field("Year").fill(str(member.birth_date.year))
    g.field("Email address").fill(member.email)
    g.check("company contact details")
    g.next()
    g.expect_step(4, "Verification of your identity", "/verification")
    expect(page.get_by_label(g.t("Yes"), exact=True)).to_have_count(0)  # no health question
    g.choose("The IBAN of the bank account your benefits are paid to")
    g.follow_up("/verification/iban")
    g.field("IBAN").fill(" ".join(member.facts["iban"][i:i + 4] for i in range(0, 27, 4)))
    g.show("verification")
    g.check("IBAN")
    g.next()
    g.step_05_confirm_the_email_address()
    g.next("Finalise my registration by accepting the general terms of use")
    g.step_07_registration_complete()
    g.step_08_first_log_in_with_the_provisional_password()


@pytest.mark.parametrize("js", JS_MODES)
def test_cannot_read_the_serial_number(new_context, js, mail) -> None:
    """"Je n'arrive pas à lire ce numéro" → another piece of information: the IBAN."""
    member = demo("Rose-Aimée") if js else demo("Odette")
    page = new_context(locale="en-GB", java_script_enabled=js).new_page()
    g = Journey(page, "en", js, member, mail, shots="cannot-read-")
    g.step_01_click_register_and_choose_who_you_are()
    g.step_02_enter_the_social_security_number()
    if not member.mobile:
        g.member = member = DemoMember(**{**member.__dict__, "mobile": ""})
    g.step_03_fill_in_your_contact_details()
    g.choose("Yes")
    g.follow_up("/verification/card")
    g.choose("Without a photo")
    g.follow_up("/verification/serial")
    g.page.get_by_role("link", name=g.t("I cannot read this number")).click()
    # its own page (with JS swapped in, as a reload shows it, the focus on the heading)
    expect(page).to_have_url(re.compile(r"/verification/other$"))
    expect(g.field("Serial number of your Carte Vitale")).to_have_count(0)
    if js:
        expect(g.heading()).to_be_focused()
    g.check("another piece of information")
    g.choose("The IBAN of the bank account your benefits are paid to")
    g.follow_up("/verification/iban")
    g.field("IBAN").fill(member.facts["iban"].lower())
    g.next()
    g.expect_step(5, "Receive your password", "/password")
    expect(page.get_by_role("main")).to_contain_text(g.t("IBAN of your bank account"))


def test_previous_on_the_verification_step(new_context, mail) -> None:
    """With JS, the verification's questions are one page: Précédent leaves it for the contact
    details (swapped in, focus on the heading), and every answer is there on coming back."""
    member = demo("Loïc")
    page = new_context(locale="fr-FR", java_script_enabled=True).new_page()
    g = Journey(page, "fr", True, member, mail, shots="previous-")
    g.step_01_click_register_and_choose_who_you_are()
    g.step_02_enter_the_social_security_number()
    g.step_03_fill_in_your_contact_details()
    g.expect_step(4, "Verification of your identity", "/verification")
    g.choose("No")
    g.follow_up("/verification/other")
    g.choose("The IBAN of the bank account your benefits are paid to")
    g.follow_up("/verification/iban")
    g.field("IBAN").fill("FR76 9999")
    g.next("Previous")
    g.expect_step(3, "Your contact details", "/contact")
    expect(g.field("Last name")).to_have_value(member.last_name.upper())
    expect(page.locator(".error-summary")).to_have_count(0)
    g.check("contact details after Précédent")
    g.next()
    g.expect_step(4, "Verification of your identity", "/verification")
    expect(page.get_by_label(g.t("No"), exact=True)).to_be_checked()
    expect(page.get_by_label(g.t("The IBAN of the bank account your benefits are paid to"),
                             exact=True)).to_be_checked()
    expect(g.field("IBAN")).to_have_value("FR76 9999")
    expect(page.locator(".error-summary")).to_have_count(0)


@pytest.mark.parametrize("js", JS_MODES)
def test_previous_and_abandon(new_context, js, mail) -> None:
    """Précédent keeps what was typed; Abandonner deletes the draft (a dialog with JS, a plain
    page without) and goes back to the home page."""
    member = demo("Loïc")
    page = new_context(locale="fr-FR", java_script_enabled=js).new_page()
    g = Journey(page, "fr", js, member, mail, shots="abandon-")
    g.step_01_click_register_and_choose_who_you_are()
    g.step_02_enter_the_social_security_number()
    g.expect_step(3, "Your contact details", "/contact")
    g.field("Last name").fill("Le Guennec")
    g.field("Email address").fill("not-finished@")
    g.next("Previous")
    g.expect_step(2, "Your identifier", "/identifier")
    expect(g.field("Social security number")).to_have_value(spaced_nir(member.identifier))
    g.next("Previous")
    g.expect_step(1, "Create my private space", "/profile")
    expect(page.get_by_label(g.t("Solidarity contributor"), exact=True)).to_be_checked()
    page.go_back()  # the browser's back button: the step before, a whole page, values kept
    g.expect_step(2, "Your identifier", "/identifier", swapped=False)
    expect(page.locator("header")).to_have_count(1)
    expect(g.field("Social security number")).to_have_value(spaced_nir(member.identifier))
    page.goto(f"/{PORTAL}/register/contact")
    expect(g.field("Last name")).to_have_value("Le Guennec")
    expect(g.field("Email address")).to_have_value("not-finished@")
    page.get_by_role("link", name=g.t("Abandon"), exact=True).click()
    title = g.t("Abandon your registration?")
    if js:
        dialog = page.get_by_role("dialog", name=title)
        expect(dialog.get_by_role("heading", name=title)).to_be_focused()
        g.check("abandon dialog")
        dialog.get_by_role("link", name=g.t("Continue my registration")).click()
        expect(dialog).to_be_hidden()
        expect(g.field("Last name")).to_have_value("Le Guennec")
        page.get_by_role("link", name=g.t("Abandon"), exact=True).click()
    else:
        expect(g.heading()).to_have_text(title)
        g.check("abandon page")
    g.show("abandon")
    page.get_by_role("button", name=g.t("Abandon"), exact=True).click()
    expect(page).to_have_url(re.compile(rf"/{PORTAL}/\?abandoned=1$"))
    expect(page.get_by_role("main")).to_contain_text(g.t(
        "Your registration was abandoned: what you had entered has been deleted."))
    g.check("abandoned")
    page.goto(f"/{PORTAL}/register/contact")
    g.expect_step(1, "Create my private space", "/profile")
    expect(page.get_by_label(g.t("Solidarity contributor"), exact=True)).not_to_be_checked()
