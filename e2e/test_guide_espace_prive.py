"""The guide "Je crée Mon espace privé sur Internet", steps 1 to 7 and the first log-in, in a
real browser.

A demo member goes from the portal home to their member space, in French and English, with
JavaScript on and off; then the postal variant, the company (SIRET) variant, the "cannot read
the serial number" path, Abandonner and Précédent. Each guide step is a method named after it
that saves a screenshot (``e2e/artifacts/espace-prive/<lang>/<NN>-<step>[-nojs].png``) and
runs axe on every state it shows. The provisional password is read from the live server's
outbox (the development mailbox's store).
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from contextlib import closing

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import Mailbox, assert_accessible, portal_text, screenshot, t
from e2e.live_server import ROOT
from web.mail.models import secret_mark
from web.portals.espace_prive.checks import format_identifier
from web.registry.demo import DemoMember, demo_identities

PORTAL = "espace-prive"
NEW_PASSWORD = "lagoon pepper quartz mango 58"  # noqa: S105 - test data
PROVISIONAL_RE = re.compile(r"[a-z2-9]{4}(?:-[a-z2-9]{4}){6}")
FILL_PAUSE_MS = 1600  # the identifier form refuses what is sent sooner (a robot)
# Each run registers a different demo member (an account can only be created once).
JOURNEY_MEMBERS = {
    ("fr", True): "Aïssatou",  # particulier, card with photo, born abroad
    ("en", True): "美玲",  # Chinese script, English
    ("fr", False): "Jean-Pierre",  # exploitant, Corsica 2A, card without photo
    ("en", False): "Marie-Ange",  # exploitant, Corsica 2B
}
PROFILE_LABELS = {
    "particulier": "Individual",
    "exploitant": "Farmer",
    "entreprise": "Company",
    "employeur_jardinier": "Employer of a gardener as a private individual",
    "cotisant_solidarite": "Solidarity contributor",
}


# The colours the Carte Vitale drawings are painted with, the text colour of their hint, and
# the system colour Canvas, as the browser computes them.
PAINT_OF_DRAWINGS = """() => {
  const paints = new Set();
  for (const shape of document.querySelectorAll("svg.vitale *")) {
    const style = getComputedStyle(shape);
    paints.add(style.fill); paints.add(style.stroke);
  }
  const system = (colour) => {
    const probe = document.createElement("i");
    probe.style.color = colour;
    document.body.append(probe);
    const computed = getComputedStyle(probe).color;
    probe.remove();
    return computed;
  };
  const text = getComputedStyle(document.querySelector("svg.vitale").parentElement).color;
  return {paints: [...paints], text, canvas: system("Canvas"), canvasText: system("CanvasText")};
}"""




def site(lang: str) -> str:
    return portal_text(PORTAL, lang)


def health_question(lang: str) -> str:
    return portal_text(PORTAL, lang, "health_question")


def demo(first_names: str) -> DemoMember:
    return next(m for m in demo_identities(PORTAL)
                if m.first_names == first_names or m.last_name == first_names)


def database(live_server):
    return closing(sqlite3.connect(live_server.folder / "espace.sqlite3", timeout=10))


def provisional_password(live_server, to: str) -> str:
    with database(live_server) as db:
        row = db.execute("SELECT text_body, secret FROM outbox_mail WHERE lower(\"to\") = ? "
                         "AND template = 'provisional_password' ORDER BY id DESC LIMIT 1",
                         (to.lower(),)).fetchone()
    assert row, f"no provisional password mailed to {to}"
    text, secret = row[0], json.loads(row[1] or "{}")  # waiting, or delivered to the mailbox
    return PROVISIONAL_RE.search(text.replace(secret_mark("password"),
                                              secret.get("password", ""))).group(0)


def clear_verification_counters(live_server) -> None:
    """Every browser test comes from 127.0.0.1: failures of one test must not lock the next."""
    with database(live_server) as db:
        db.execute("DELETE FROM attempt_counter WHERE key LIKE 'verify%' "
                   "OR key LIKE 'register-client%'")
        db.commit()


def spaced_nir(identifier: str) -> str:
    parts = (identifier[:1], identifier[1:3], identifier[3:5], identifier[5:7],
             identifier[7:10], identifier[10:13])
    return " ".join(parts) if len(identifier) == 13 else identifier


def national_mobile(e164: str) -> str:
    """+33612345678 → 06 12 34 56 78 (overseas numbers keep their international form)."""
    if e164.startswith("+33"):
        digits = "0" + e164[3:]
        return " ".join(digits[i:i + 2] for i in range(0, 10, 2))
    return e164


class Journey:
    """The guide's steps for one member, language and JavaScript mode."""

    def __init__(self, page: Page, lang: str, js: bool, member: DemoMember, live_server,
                 *, shots: str = "") -> None:
        self.page, self.lang, self.js, self.member = page, lang, js, member
        self.live_server = live_server
        self.shots = shots  # a prefix for the screenshots of the variants
        self.registry_email = member.email  # ``member.email`` is what the member types

    def t(self, text: str, **variables) -> str:
        return t(self.lang, text, **variables)

    def shot(self, number: int, step: str) -> None:
        screenshot(self.page, PORTAL, self.lang, number, self.shots + step, js=self.js)

    def check(self, state: str) -> None:
        assert_accessible(self.page, f"{PORTAL} {state} ({self.lang}, "
                                     f"{'js' if self.js else 'no js'})")

    def heading(self):
        return self.page.get_by_role("heading", level=1)

    def field(self, label: str):
        """The input labelled ``label`` (its required marker " *" aside)."""
        return self.page.get_by_label(re.compile("^" + re.escape(self.t(label)) + r"( \*)?$"))

    def choose(self, label: str) -> None:
        self.page.get_by_label(self.t(label), exact=True).check()

    def next(self, label: str = "Next") -> None:
        self.page.get_by_role("button", name=self.t(label), exact=True).click()

    def expect_step(self, number: int, heading: str, path: str, *, swapped: bool = True) -> None:
        """Step N's page: title, stepper, heading; with JS, swapped in with focus on it."""
        expect(self.page).to_have_url(re.compile(re.escape(f"/{PORTAL}/register{path}") + "$"))
        title = self.t("Step %(current)s of %(total)s", current=number, total=6)
        expect(self.page).to_have_title(f"{title} – {self.t(heading)} – {site(self.lang)}")
        expect(self.page.locator(".stepper__text")).to_have_text(title)
        expect(self.heading()).to_have_text(self.t(heading))
        if self.js and swapped and number > 1:
            expect(self.heading()).to_be_focused()

    # Step 1 ---------------------------------------------------------------------------------

    def step_01_click_register_and_choose_who_you_are(self) -> None:
        """Étape 1 : je clique en haut à droite sur « S'inscrire », je choisis « Particulier »
        puis « Suivant »."""
        assert self.page.goto(f"/{PORTAL}/").status == 200
        expect(self.heading()).to_have_text(site(self.lang))
        register = self.page.get_by_role("link", name=self.t("Register"), exact=True)
        box, header = register.bounding_box(), self.page.locator(".site-header").bounding_box()
        inner = self.page.locator(".site-header__inner").bounding_box()
        assert box["x"] + box["width"] / 2 > inner["x"] + inner["width"] / 2  # on the right
        assert box["y"] + box["height"] <= header["y"] + header["height"]  # in the header
        self.shot(1, "home")
        self.check("home")
        register.click()
        self.expect_step(1, "Create my private space", "/profile")
        for label in ("Farmer", "Company", "Individual", "Solidarity contributor", "Other…"):
            expect(self.page.get_by_label(self.t(label), exact=True)).to_be_visible()
        self.check("you are")
        self.choose(PROFILE_LABELS[self.member.facts["profile"]])
        self.shot(2, "you-are")
        self.next()

    # Step 2 ---------------------------------------------------------------------------------

    def step_02_enter_the_social_security_number(self) -> None:
        """Étape 2 : je saisis mon numéro de sécurité sociale sans la clé (13 chiffres)."""
        self.expect_step(2, "Your identifier", "/identifier")
        expect(self.page.get_by_role("link", name=self.t(
            "I do not know my social security number"))).to_be_visible()
        self.check("identifier")
        self.field("Social security number").fill(spaced_nir(self.member.identifier))
        self.shot(3, "identifier")
        self.page.wait_for_timeout(FILL_PAUSE_MS)
        self.next()

    # Step 3 ---------------------------------------------------------------------------------

    def step_03_fill_in_your_contact_details(self) -> None:
        """Étape 3 : je complète le formulaire : nom, prénom, date de naissance, adresse
        mail, numéro de mobile."""
        self.expect_step(3, "Your contact details", "/contact")
        self.check("contact details")
        member = self.member
        self.field("Last name").fill(member.last_name.upper())
        self.field("First name").fill(member.first_names)
        self.field("Day").fill(str(member.birth_date.day))
        self.field("Month").fill(f"{member.birth_date.month:02d}")
        self.field("Year").fill(str(member.birth_date.year))
        self.field("Email address").fill(member.email)
        self.field("Mobile phone number (optional)").fill(national_mobile(member.mobile))
        self.shot(4, "contact-details")
        self.next()

    # Step 4 ---------------------------------------------------------------------------------

    def step_04_verify_your_identity_with_the_carte_vitale(self) -> None:
        """Étape 4 : je saisis l'une des informations de vérification demandées, par exemple
        le numéro de série de la carte Vitale (avec ou sans photo)."""
        self.expect_step(4, "Verification of your identity", "/verification")
        expect(self.page.get_by_role("group", name=re.compile(
            re.escape(health_question(self.lang))))).to_be_visible()
        self.check("health question")
        self.choose("Yes")
        self.follow_up("/verification/card")
        expect(self.page.get_by_role("group", name=re.compile(
            re.escape(self.t("Your Carte Vitale is…"))))).to_be_visible()
        self.check_card_drawings()
        self.check("card kind")
        kind = self.member.facts["vitale_kind"]
        self.choose("With a photo" if kind == "photo" else "Without a photo")
        self.follow_up("/verification/serial")
        serial = self.field("Serial number of your Carte Vitale")
        expect(serial).to_be_visible()
        expect(self.page.get_by_role("link", name=self.t("I cannot read this number"))
               ).to_be_visible()
        serial.fill(self.member.facts["vitale_serial"])
        self.shot(5, "verification")
        self.check("serial number")
        self.next()

    def check_card_drawings(self) -> None:
        """Each card kind is drawn inline, under its option, in the text's colour: with forced
        colours too, where every line is the user's text colour and the number's box their
        background colour."""
        drawings = self.page.locator("svg.vitale")
        expect(drawings).to_have_count(2)
        for option, where in (("With a photo", "The serial number is printed on the front, "
                               "under the photo."),
                              ("Without a photo", "The serial number is printed on the back, "
                               "at the bottom right.")):
            radio = self.page.get_by_role("radio", name=self.t(option), exact=True)
            expect(radio).to_have_accessible_description(self.t(where))
        for forced in ("none", "active"):
            self.page.emulate_media(forced_colors=forced)
            painted = self.page.evaluate(PAINT_OF_DRAWINGS)
            paints = set(painted["paints"])
            assert painted["text"] in paints, painted
            assert paints <= {"none", painted["text"], painted["canvas"]}, painted
            if forced == "active":
                assert painted["text"] == painted["canvasText"], painted
        self.page.emulate_media(forced_colors="none")

    def follow_up(self, path: str) -> None:
        """The next question: under the answer at once with JS (focus stays on the answer,
        the live region says it), a plain next page without."""
        if self.js:
            expect(self.page.locator("#status")).to_contain_text(
                self.t("New question below: %(question)s", question=""))
            expect(self.page).to_have_url(re.compile(r"/register/verification$"))
        else:
            self.next()
            expect(self.page).to_have_url(re.compile(re.escape(path) + "$"))

    # Step 5 ---------------------------------------------------------------------------------

    def step_05_confirm_the_email_address(self) -> None:
        """Étape 5 : je confirme mon adresse mail pour recevoir mon mot de passe."""
        self.expect_step(5, "Receive your password", "/password")
        main = self.page.get_by_role("main")
        expect(main).to_contain_text(
            self.t("You will receive your provisional password at the address:"))
        expect(main).to_contain_text(self.member.email)
        expect(main.get_by_role("link", name=self.t("Change the email address"))).to_be_visible()
        expect(main).to_contain_text(format_identifier(self.member.identifier))
        self.shot(6, "receive-password")
        self.check("receive your password")
        self.next()
        if self.member.email.casefold() != self.registry_email.casefold():
            self.type_the_code()

    def type_the_code(self) -> None:
        """An address the registry does not hold: Suivant has sent it a code, read in the
        development mailbox and typed back before any password goes there."""
        self.expect_step(5, "Receive your password", "/password")
        code = re.search(r"\b\d{6}\b", Mailbox(self.live_server.url).newest(
            self.member.email).text).group(0)
        self.check("confirmation code")
        self.field("Confirmation code").fill(code)
        self.shot(6, "confirmation-code")
        self.next()

    # Step 6 ---------------------------------------------------------------------------------

    def step_06_accept_the_terms_of_use(self) -> None:
        """Étape 6 : je finalise mon inscription en acceptant les conditions générales
        d'utilisation."""
        self.expect_step(6, "Accept the general terms of use", "/terms")
        self.check("terms")
        self.page.get_by_role("link", name=self.t("Read the general terms of use")).click()
        title = self.t("General terms of use")
        if self.js:
            dialog = self.page.get_by_role("dialog", name=title)
            expect(dialog).to_be_visible()
            expect(dialog.get_by_role("heading", name=title)).to_be_focused()
            self.shot(7, "terms-of-use")
            self.check("terms dialog")
            self.page.keyboard.press("Escape")
            expect(dialog).to_be_hidden()
        else:
            expect(self.heading()).to_have_text(title)
            self.shot(7, "terms-of-use")
            self.check("terms page")
            self.page.get_by_role("link", name=self.t("Close")).click()
            expect(self.page).to_have_url(re.compile(r"/register/terms$"))
        self.next("Finalise my registration by accepting the general terms of use")

    # Step 7 ---------------------------------------------------------------------------------

    def step_07_registration_complete(self, postal: bool = False) -> None:
        """Étape 7 : un message confirme la prise en compte de ma demande : mot de passe
        provisoire par mail ou par courrier."""
        expect(self.page).to_have_url(re.compile(r"/register/done$"))
        expect(self.heading()).to_have_text(self.t("Registration complete"))
        main = self.page.get_by_role("main")
        expect(main).to_contain_text(self.t(
            "Your request to register for %(site)s is being processed.", site=site(self.lang)))
        if postal:
            expect(main).to_contain_text(self.t(
                "A letter with your provisional password will be posted to the address we "
                "hold for you. It may take a few days to arrive."))
        else:
            expect(main).to_contain_text(self.member.email)
        self.shot(8, "registration-complete")
        self.check("registration complete")

    # First log-in ---------------------------------------------------------------------------

    def step_08_first_log_in_with_the_provisional_password(self) -> None:
        """Se connecter à Mon espace privé : identifiant + mot de passe provisoire, puis un
        nouveau mot de passe, puis l'espace."""
        password = provisional_password(self.live_server, self.member.email)
        self.page.get_by_role("link", name=self.t("Log in to %(site)s", site=site(self.lang))
                              ).click()
        main = self.page.get_by_role("main")
        main.get_by_role("textbox", name=self.t("Social security number")).fill(
            spaced_nir(self.member.identifier))
        main.get_by_label(re.compile("^" + self.t("Password"))).fill(password.upper())
        main.get_by_role("button", name=self.t("Log in"), exact=True).click()
        expect(self.page).to_have_url(re.compile(r"/account/new-password$"))
        expect(self.heading()).to_have_text(self.t("Choose your own password"))
        self.shot(9, "new-password")
        self.check("forced new password")
        self.field("New password").fill(NEW_PASSWORD)
        self.field("Confirm the new password").fill(NEW_PASSWORD)
        self.next("Save my new password")
        expect(self.heading()).to_contain_text(self.member.first_names)
        self.shot(10, "member-space")
        self.check("member space")

    def follow(self) -> None:
        self.step_01_click_register_and_choose_who_you_are()
        self.step_02_enter_the_social_security_number()
        self.step_03_fill_in_your_contact_details()
        self.step_04_verify_your_identity_with_the_carte_vitale()
        self.step_05_confirm_the_email_address()
        self.step_06_accept_the_terms_of_use()
        self.step_07_registration_complete()
        self.step_08_first_log_in_with_the_provisional_password()


@pytest.fixture(autouse=True)
def fresh_counters(live_server):
    clear_verification_counters(live_server)
    yield
    clear_verification_counters(live_server)


def test_guide_espace_prive(lang_page: Page, lang: str, js: bool, live_server) -> None:
    """Guide steps 1–7 and the first log-in, fr and en, with JavaScript on and off."""
    Journey(lang_page, lang, js, demo(JOURNEY_MEMBERS[lang, js]), live_server).follow()


def espace(live_server, *args: str) -> str:
    """An operator's ``espace`` command on the live server's database; its output."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "web.cli", *args], cwd=ROOT,
        env={**live_server.env, "LANG": "C.UTF-8", "LC_ALL": ""},
        capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
def test_postal_variant(new_context, js, live_server, tmp_path) -> None:
    """No verification fact at all: "I cannot give any of these" → a letter by post, listed
    and exported by `espace letters`; its provisional password opens the first log-in."""
    page = new_context(locale="fr-FR", java_script_enabled=js).new_page()
    member = demo("Théo") if js else demo("Marcel")
    g = Journey(page, "fr", js, member, live_server, shots="postal-")
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
    g.shot(5, "verification")
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
    with database(live_server) as db:
        letters = db.execute("SELECT l.id, l.address FROM letter l JOIN account a ON a.id = "
                             "l.account_id WHERE a.login = ?", (member.identifier,)).fetchall()
    assert [address for _id, address in letters] == [member.address]
    number = letters[0][0]
    one_line = ", ".join(line.strip() for line in member.address.splitlines())
    name = f"{member.first_names} {member.last_name}"
    listed = espace(live_server, "letters", "list")
    assert re.search(rf"^#{number} .* waiting  {re.escape(name)} – {re.escape(one_line)}$",
                     listed, re.M), listed
    espace(live_server, "letters", "export", str(tmp_path))
    letter = (tmp_path / f"letter-{number:06d}.txt").read_text("utf-8")
    assert letter.startswith(f"{name}\n{member.address}")
    assert f"Identifiant : {format_identifier(member.identifier)}" in letter
    assert f"#{number} " not in espace(live_server, "letters", "list")  # posted once
    password = letter.split("Mot de passe provisoire : ")[1].split()[0]
    page.goto(f"/{PORTAL}/login")
    main = page.get_by_role("main")
    main.get_by_role("textbox", name=g.t("Social security number")).fill(member.identifier)
    main.get_by_label(re.compile("^" + g.t("Password"))).fill(password)
    main.get_by_role("button", name=g.t("Log in"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/account/new-password$"))


@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
def test_company_variant(new_context, js, live_server) -> None:
    """Entreprise: the SIRET, the company's name and date of creation, then its IBAN."""
    company = [m for m in demo_identities(PORTAL) if m.facts["profile"] == "entreprise"]
    member = company[0] if js else company[1]
    page = new_context(locale="fr-FR", java_script_enabled=js).new_page()
    g = Journey(page, "fr", js, member, live_server, shots="company-")
    # Its accountant's address: not the registry's, so it is confirmed by a code.
    g.member = member = DemoMember(**{**member.__dict__, "email": "compta." + member.email})
    g.step_01_click_register_and_choose_who_you_are()
    g.expect_step(2, "Your identifier", "/identifier")
    g.field("SIRET number").fill(f"{member.identifier[:3]} {member.identifier[3:6]} "
                                 f"{member.identifier[6:9]} {member.identifier[9:]}")
    g.check("SIRET")
    page.wait_for_timeout(FILL_PAUSE_MS)
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
    g.shot(5, "verification")
    g.check("IBAN")
    g.next()
    g.step_05_confirm_the_email_address()
    g.next("Finalise my registration by accepting the general terms of use")
    g.step_07_registration_complete()
    g.step_08_first_log_in_with_the_provisional_password()


@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
def test_cannot_read_the_serial_number(new_context, js, live_server) -> None:
    """"Je n'arrive pas à lire ce numéro" → another piece of information: the IBAN."""
    member = demo("Rose-Aimée") if js else demo("Odette")
    page = new_context(locale="en-GB", java_script_enabled=js).new_page()
    g = Journey(page, "en", js, member, live_server, shots="cannot-read-")
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
    if js:  # the question takes the place of the serial number, and the focus
        expect(page.locator("#q-other")).to_be_focused()
        expect(g.field("Serial number of your Carte Vitale")).to_have_count(0)
    else:
        expect(page).to_have_url(re.compile(r"/verification/other$"))
    g.check("another piece of information")
    g.choose("The IBAN of the bank account your benefits are paid to")
    g.follow_up("/verification/iban")
    g.field("IBAN").fill(member.facts["iban"].lower())
    g.next()
    g.expect_step(5, "Receive your password", "/password")
    expect(page.get_by_role("main")).to_contain_text(g.t("IBAN of your bank account"))


def test_previous_on_the_verification_step(new_context, live_server) -> None:
    """With JS, the verification's questions are one page: Précédent leaves it for the contact
    details (swapped in, focus on the heading), and every answer is there on coming back."""
    member = demo("Loïc")
    page = new_context(locale="fr-FR", java_script_enabled=True).new_page()
    g = Journey(page, "fr", True, member, live_server, shots="previous-")
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


@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
def test_previous_and_abandon(new_context, js, live_server) -> None:
    """Précédent keeps what was typed; Abandonner deletes the draft (a dialog with JS, a plain
    page without) and goes back to the home page."""
    member = demo("Loïc")
    page = new_context(locale="fr-FR", java_script_enabled=js).new_page()
    g = Journey(page, "fr", js, member, live_server, shots="abandon-")
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
    g.shot(4, "abandon")
    page.get_by_role("button", name=g.t("Abandon"), exact=True).click()
    expect(page).to_have_url(re.compile(rf"/{PORTAL}/\?abandoned=1$"))
    expect(page.get_by_role("main")).to_contain_text(g.t(
        "Your registration was abandoned: what you had entered has been deleted."))
    g.check("abandoned")
    page.goto(f"/{PORTAL}/register/contact")
    g.expect_step(1, "Create my private space", "/profile")
    expect(page.get_by_label(g.t("Solidarity contributor"), exact=True)).not_to_be_checked()
