"""The guide "Je crée Mon espace privé sur Internet" (espace-prive), steps 1 to 7, and the
first log-in with the provisional password.

A member goes from the portal home to their member space; the provisional password comes by
mail. Each step checks what the member sees (axe on every state) and shows the control to use.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from e2e import journeys
from e2e.helpers import portal_text
from e2e.journeys import fill_seconds, guide_step
from web.operations.demo import DemoMember, demo_identities
from web.portals.espace_prive.checks import format_identifier
from web.portals.journey import MIN_FILL_SECONDS

PORTAL = "espace-prive"
NEW_PASSWORD = "lagoon pepper quartz mango 58"  # noqa: S105 - test data
PROVISIONAL_RE = re.compile(r"[a-z2-9]{4}(?:-[a-z2-9]{4}){6}")
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




def health_question(lang: str) -> str:
    return portal_text(PORTAL, lang, "health_question")


def demo(first_names: str) -> DemoMember:
    return next(m for m in demo_identities(PORTAL)
                if m.first_names == first_names or m.last_name == first_names)


def wait_like_a_person(page) -> None:
    """A registration sent within MIN_FILL_SECONDS of its draft's start is refused (a robot):
    a person takes longer to type it. A server asking no delay (the suite's own) refuses none."""
    if seconds := fill_seconds(MIN_FILL_SECONDS):
        page.wait_for_timeout((seconds + 0.1) * 1000)


def provisional_password(mail, to: str, after: int = 0) -> str:
    """The provisional password of the newest mail to ``to``."""
    return PROVISIONAL_RE.search(mail.newest(to, after=after).text).group(0)


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


class Journey(journeys.Journey):
    """The espace-prive guide's steps for one member, language and JavaScript mode."""

    portal = PORTAL


    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.registry_email = self.member.email  # ``member.email`` is what the member types

    def wait_like_a_person(self) -> None:
        wait_like_a_person(self.page)

    def choose(self, label: str) -> None:
        self.page.get_by_label(self.t(label), exact=True).check()

    def next(self, label: str = "Next") -> None:
        self.page.get_by_role("button", name=self.t(label), exact=True).click()

    def expect_step(self, number: int, heading: str, path: str, *, swapped: bool = True) -> None:
        """Step N's page: title, stepper, heading; with JS, swapped in with focus on it."""
        expect(self.page).to_have_url(re.compile(re.escape(f"/{PORTAL}/register{path}") + "$"))
        title = self.t("Step %(current)s of %(total)s", current=number, total=6)
        expect(self.page).to_have_title(f"{title} – {self.t(heading)} – {self.site}")
        # the step is the caption of the heading (heard when the heading takes the focus)
        expect(self.heading().locator(".stepper__text")).to_have_text(f"{title} –")
        expect(self.heading()).to_have_text(f"{title} – {self.t(heading)}")
        if self.js and swapped and number > 1:
            expect(self.heading()).to_be_focused()

    @guide_step(1, fr="Je clique en haut à droite de la page sur le bouton « S'inscrire ». "
                "Sur le formulaire d'inscription, je choisis « Particulier » puis « Suivant ».",
                en="I click the “Register” button at the top right of the page. On the "
                "registration form, I choose “Individual”, then “Next”.")
    def step_01_click_register_and_choose_who_you_are(self) -> None:
        assert self.page.goto(f"/{PORTAL}/").status == 200
        expect(self.heading()).to_have_text(self.site)
        register = self.page.get_by_role("link", name=self.t("Register"), exact=True)
        box, header = register.bounding_box(), self.page.locator(".site-header").bounding_box()
        inner = self.page.locator(".site-header__inner").bounding_box()
        if self.page.viewport_size["width"] >= 640:  # a phone's header wraps: not on the right
            assert box["x"] + box["width"] / 2 > inner["x"] + inner["width"] / 2  # on the right
        assert box["y"] + box["height"] <= header["y"] + header["height"]  # in the header
        self.check("home")
        self.show("home", register)
        register.click()
        self.expect_step(1, "Create my private space", "/profile")
        for label in ("Farmer", "Company", "Individual", "Solidarity contributor", "Other…"):
            expect(self.page.get_by_label(self.t(label), exact=True)).to_be_visible()
        self.check("you are")
        self.choose(PROFILE_LABELS[self.member.facts["profile"]])
        self.show("you-are", self.button("Next"))
        self.next()

    @guide_step(2, fr="Je saisis mon numéro de sécurité sociale sans la clé (13 chiffres). "
                "Ce sera mon identifiant.",
                en="I enter my social security number without the key (13 digits). It will "
                "be my identifier.")
    def step_02_enter_the_social_security_number(self) -> None:
        self.expect_step(2, "Your identifier", "/identifier")
        expect(self.page.get_by_role("link", name=self.t(
            "I do not know my social security number"))).to_be_visible()
        self.check("identifier")
        number = self.field("Social security number")
        number.fill(spaced_nir(self.member.identifier))
        self.show("identifier", number)
        self.wait_like_a_person()
        self.next()

    @guide_step(3, fr="Je complète le formulaire avec mes informations personnelles : nom, "
                "prénom, date de naissance, adresse mail, numéro de mobile.",
                en="I fill in the form with my personal details: last name, first name, date "
                "of birth, email address, mobile number.")
    def step_03_fill_in_your_contact_details(self) -> None:
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
        self.show("contact-details", self.page.get_by_role("main").locator("form").first)
        self.next()

    @guide_step(4, fr="Je saisis au choix l'une des informations de vérification demandées. "
                "Exemple avec le numéro de série de la carte Vitale (avec ou sans photo).",
                en="I enter one of the verification details asked for, as I choose. For "
                "example the serial number of the Carte Vitale (with or without a photo).")
    def step_04_verify_your_identity_with_the_carte_vitale(self) -> None:
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
        self.check("serial number")
        self.show("verification", serial)
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
        if self.js:  # the URL stays the page's (/verification, or /verification/other)
            expect(self.page.locator("#status")).to_contain_text(
                self.t("New question below: %(question)s", question=""))
            expect(self.page).to_have_url(re.compile(r"/register/verification(/other)?$"))
        else:
            self.next()
            expect(self.page).to_have_url(re.compile(re.escape(path) + "$"))

    @guide_step(5, fr="Je confirme mon adresse mail pour recevoir mon mot de passe.",
                en="I confirm my email address to receive my password.")
    def step_05_confirm_the_email_address(self) -> None:
        self.expect_step(5, "Receive your password", "/password")
        main = self.page.get_by_role("main")
        expect(main).to_contain_text(
            self.t("You will receive your provisional password at the address:"))
        expect(main).to_contain_text(self.member.email)
        expect(main.get_by_role("link", name=self.t("Change the email address"))).to_be_visible()
        expect(main).to_contain_text(format_identifier(self.member.identifier))
        self.check("receive your password")
        self.show("receive-password", self.button("Next"))
        before = self.mail.latest_id(self.member.email)
        self.next()
        if self.member.email.casefold() != self.registry_email.casefold():
            self.type_the_code(before)

    def type_the_code(self, before: int) -> None:
        """An address the registry does not hold: Suivant has sent it a code, read in the
        mail and typed back before any password goes there."""
        self.expect_step(5, "Receive your password", "/password")
        code = re.search(r"\b\d{6}\b", self.mail.newest(self.member.email, after=before).text)
        self.check("confirmation code")
        self.field("Confirmation code").fill(code.group(0))
        self.show("confirmation-code", self.button("Next"))
        self.next()

    @guide_step(6, fr="Je finalise mon inscription en acceptant les conditions générales "
                "d'utilisation.",
                en="I complete my registration by accepting the general terms of use.")
    def step_06_accept_the_terms_of_use(self) -> None:
        self.expect_step(6, "Accept the general terms of use", "/terms")
        self.check("policy")
        self.page.get_by_role("link", name=self.t("Read the general terms of use")).click()
        title = self.t("General terms of use")
        if self.js:
            dialog = self.page.get_by_role("dialog", name=title)
            expect(dialog).to_be_visible()
            expect(dialog.get_by_role("heading", name=title)).to_be_focused()
            self.check("policy dialog")
            self.page.keyboard.press("Escape")
            expect(dialog).to_be_hidden()
        else:
            expect(self.heading()).to_have_text(title)
            self.check("policy page")
            self.page.get_by_role("link", name=self.t("Close")).click()
            expect(self.page).to_have_url(re.compile(r"/register/terms$"))
        finish = self.button("Finalise my registration by accepting the general terms of use")
        self.show("policy", finish)
        self.mails_before = self.mail.latest_id(self.member.email)
        finish.click()

    @guide_step(7, fr="Un message me confirme la prise en compte de ma demande. En fonction "
                "de ma saisie, je recevrai un mot de passe provisoire par mail ou par courrier.",
                en="A message confirms that my request is being processed. Depending on what "
                "I entered, I receive a provisional password by email or by post.")
    def step_07_registration_complete(self, postal: bool = False) -> None:
        expect(self.page).to_have_url(re.compile(r"/register/done$"))
        expect(self.heading()).to_have_text(self.t("Registration complete"))
        main = self.page.get_by_role("main")
        expect(main).to_contain_text(self.t(
            "Your request to register for %(site)s is being processed.", site=self.site))
        if postal:
            expect(main).to_contain_text(self.t(
                "A letter with your provisional password will be posted to the address we "
                "hold for you. It may take a few days to arrive."))
        else:
            expect(main).to_contain_text(self.member.email)
        self.check("registration complete")
        self.show("registration-complete")

    @guide_step(8, fr="Je me connecte à {site} avec mon identifiant et le mot de passe "
                "provisoire reçu, puis je choisis mon propre mot de passe.",
                en="I log in to {site} with my identifier and the provisional password I "
                "received, then I choose my own password.")
    def step_08_first_log_in_with_the_provisional_password(self) -> None:
        password = provisional_password(self.mail, self.member.email, self.mails_before)
        self.link("Log in to %(site)s", site=self.site).click()
        main = self.page.get_by_role("main")
        main.get_by_role("textbox", name=self.t("Social security number")).fill(
            spaced_nir(self.member.identifier))
        main.get_by_label(re.compile("^" + self.t("Password"))).fill(password.upper())
        log_in = main.get_by_role("button", name=self.t("Log in"), exact=True)
        self.show("log-in", log_in)
        log_in.click()
        expect(self.page).to_have_url(re.compile(r"/account/new-password$"))
        expect(self.heading()).to_have_text(self.t("Choose your own password"))
        self.check("forced new password")
        self.field("New password").fill(NEW_PASSWORD)
        self.field("Confirm the new password").fill(NEW_PASSWORD)
        self.show("new-password", self.button("Save my new password"))
        self.next("Save my new password")
        expect(self.heading()).to_contain_text(self.member.first_names)
        self.check("member space")
        self.show("member-space")
