"""The guide "Comment s'inscrire à l'Espace Client" (mss), steps 1 to 10.

A newcomer goes from the portal home to their member space; the set-password link comes by
mail. Each step checks what the member sees (axe on every state) and shows the control to use.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from babel import Locale
from playwright.sync_api import expect

from e2e.journeys import Journey, fill_seconds, guide_step
from web.operations.demo import DemoMember, demo_identities

PASSWORD = "harbour cobalt lantern meadow 71"  # noqa: S105 - a test password
# Each run registers a different demo member (an account can only be created once).
JOURNEY_MEMBERS = {("fr", True): "000314159", ("en", True): "000000101",
                   ("fr", False): "000262974", ("en", False): "000777888"}


def demo(uid: str) -> DemoMember:
    return next(m for m in demo_identities("mss") if m.identifier == uid)


def set_password_link(mail, to: str, after: int = 0) -> str:
    """The set-password link of the newest mail to ``to``."""
    return next(link for link in mail.newest(to, after=after).links if "/mss/password/" in link)


@dataclass
class Typed:
    """What a member types: the registry values, typed the way people do."""

    uid: str
    first_names: str
    last_name: str
    day: str
    month: str
    year: str
    email: str

    @classmethod
    def of(cls, member: DemoMember) -> Typed:
        uid = f"{member.identifier[:3]} {member.identifier[3:6]} {member.identifier[6:]}"
        last = member.last_name.replace("ß", "ss").replace("\u2019", "'")
        born = member.birth_date
        return cls(uid, member.first_names, last.upper(), str(born.day), f"{born.month:02d}",
                   str(born.year), member.email.lower())


class Guide(Journey):
    """The mss guide's steps for one member, language and JavaScript mode."""

    portal = "mss"
    min_fill_seconds = 3.0  # the form refuses a registration sent sooner (a robot)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.typed = Typed.of(self.member)
        self.started = time.monotonic()
        self.security_was_shown = False

    @guide_step(1, fr="Accédez à la page d'accueil de {site}.",
                en="Go to the {site} home page.")
    def step_01_open_the_portal_home(self) -> None:
        response = self.page.goto("/mss/")
        assert response.status == 200
        expect(self.heading()).to_have_text(self.site)
        expect(self.button("Log in")).to_be_visible()
        self.check("home")
        self.show("home")

    @guide_step(2, fr="Cliquez sur le bouton rouge « S'inscrire » en bas de la page.",
                en="Click the red “Register” button at the bottom of the page.")
    def step_02_click_the_red_register_button(self) -> None:
        register = self.link("Register")
        expect(register).to_have_css("background-color", "rgb(176, 0, 32)")
        self.show("register-button", register)
        register.click()
        expect(self.page).to_have_url(re.compile(r"/mss/register$"))
        expect(self.heading()).to_have_text(
            self.t("Registration form for the %(name)s", name=self.site))
        self.check("empty registration form")

    @guide_step(3, fr="Remplissez le formulaire avec les informations suivantes : numéro "
                "d'identification unique (UID), prénom, nom, date de naissance et une adresse "
                "email (par laquelle les emails d'inscription seront reçus).",
                en="Fill in the form with your unique identification number (UID), first "
                "name, last name, date of birth and an email address (the registration emails "
                "will be sent to it).")
    def step_03_fill_in_the_form(self) -> None:
        typed = self.typed
        self.started = time.monotonic()
        self.field("Unique identification number (UID)").fill(typed.uid)
        self.field("First name").fill(typed.first_names)
        self.field("Last name").fill(typed.last_name)
        self.field("Day").fill(typed.day)
        self.field("Month").fill(typed.month)
        self.field("Year").fill(typed.year)
        email = self.field("Email address")
        self.security_was_shown = bool(email.input_value())  # from the draft, on a reload
        email.clear()
        email.press_sequentially(typed.email, delay=5)
        if self.js and not self.security_was_shown:  # they appear, the focus stays here
            expect(self.page.locator("#verify")).to_be_visible()
            expect(email).to_be_focused()
        self.field("Confirm the email address").fill(typed.email)
        self.show("form-filled", self.page.locator("#register-form"))

    @guide_step(4, fr="Une fois votre adresse email renseignée, un nouveau champ intitulé "
                "« Questions de sécurité » apparaît. Cliquez sur le bouton bleu « Vérifier » à "
                "côté. Répondez aux questions de sécurité et cliquez sur « Soumettre ».",
                en="Once your email address is filled in, a new field called “Security "
                "questions” appears. Click the blue “Verify” button beside it. Answer the "
                "security questions and click “Submit”.")
    def step_04_verify_and_answer_the_security_questions(self) -> None:
        verify = self.button("Verify")
        expect(verify).to_be_visible()
        if self.js and not self.security_was_shown:  # it appeared while typing, focus kept
            expect(self.page.locator("#status")).to_contain_text(
                self.t("The security questions field has appeared after the email fields."))
            self.check("security")
        self.show("verify", verify)
        verify.click()
        self.answer(1, self.t("What is the name of your current employing organisation?"),
                    self.member.facts["employer"])
        country = Locale.parse(self.lang).territories[self.member.facts["duty_country"]]
        self.answer(2, self.t("In which country is your current duty station?"), country)
        expect(self.page.locator("#verified")).to_contain_text(
            self.t("Your identity has been verified."))
        self.check("verified")

    def answer(self, number: int, question: str, value: str) -> None:
        spoken = self.t("Question %(number)s of %(total)s:", number=number, total=2)
        field = self.page.get_by_label(f"{spoken} {question}")  # shown "[N / 2]"
        expect(self.page.locator("label[for=answer]")).to_contain_text(f"[{number} / 2]")
        expect(field).to_be_visible()
        if self.js:
            expect(self.page.locator("#question-title")).to_be_focused()
        options = self.page.locator("#answer-list option")
        assert value in options.evaluate_all("els => els.map(e => e.value)")
        self.check(f"question {number}")
        field.fill(value.lower())
        submit = self.button("Submit")
        if number == 1:
            self.show("security-question", submit)
        submit.click()

    @guide_step(5, fr="Cliquez sur le bouton « Lire et accepter ». Une fenêtre de politique "
                "s'ouvrira. Cliquez sur « Accepter » pour poursuivre l'inscription.",
                en="Click the “Read and accept” button. A policy window opens. Click "
                "“Accept” to go on with the registration.")
    def step_05_read_and_accept_the_policy(self) -> None:
        self.page.get_by_role("button", name=self.t("Read and accept")).click()
        title = self.t("Privacy policy and terms of use")
        if self.js:
            dialog = self.page.get_by_role("dialog", name=title)
            expect(dialog).to_be_visible()
            expect(dialog.get_by_role("heading", name=title)).to_be_focused()
        else:
            expect(self.heading()).to_have_text(title)
        self.check("policy")
        accept = self.button("Accept")
        self.show("policy", accept)
        accept.click()
        expect(self.page.locator("#policy-accepted")).to_be_visible()
        expect(self.field("First name")).to_have_value(
            self.typed.first_names)  # nothing typed was lost

    @guide_step(6, fr="Cliquez sur « S'inscrire ». Un écran de confirmation d'inscription "
                "apparaîtra. Un email contenant un lien pour définir votre mot de passe sera "
                "envoyé à l'adresse indiquée.",
                en="Click “Register”. A registration confirmation screen appears. An email "
                "with a link to set your password is sent to the address you gave.")
    def step_06_register(self) -> None:
        register = self.button("Register")
        self.show("register", register)
        self.wait_like_a_person()
        self.mails_before = self.mail.latest_id(self.member.email)
        register.click()
        expect(self.heading()).to_have_text(self.t("Registration (1/2): your information"))
        expect(self.page.get_by_role("heading", name=self.t("Congratulations!"))).to_be_visible()
        expect(self.page).to_have_title(
            f"{self.t('Registration (1/2) confirmed')} – {self.site}")
        when = self.page.locator("time").inner_text()  # in the member's language
        assert re.search(r"[^\W\d]{3,} \d{1,2}, \d{4}|\d{1,2} [^\W\d]{3,} \d{4}", when), when
        assert when.endswith(("UTC", "TU")), when
        self.check("confirmation")
        self.show("confirmation")

    def wait_like_a_person(self) -> None:
        """The form refuses a registration sent within ``min_fill_seconds`` of being filled
        in (a robot): a person always takes longer, a script may not."""
        if seconds := fill_seconds(self.min_fill_seconds):  # else the server refuses none
            time.sleep(max(0.0, seconds + 0.2 - (time.monotonic() - self.started)))

    @guide_step(7, fr="Accédez à votre boîte de réception et ouvrez l'email envoyé par la "
                "Caisse. Cliquez sur le lien ou sur le bouton « Confirmer » pour définir votre "
                "mot de passe.",
                en="Go to your inbox and open the email the Fund sent you. Click the link or "
                "the “Confirm” button to set your password.")
    def step_07_open_the_email_and_confirm(self) -> None:
        mail = self.mail.newest(self.member.email, after=self.mails_before)
        assert self.member.first_names in mail.text
        self.mail.show(self.page, mail)
        confirm = self.page.get_by_role("link", name=self.t("Confirm"), exact=True)
        self.show("email", confirm)
        confirm.click()

    @guide_step(8, fr="Une nouvelle fenêtre s'ouvre. Saisissez un mot de passe et "
                "confirmez-le. Assurez-vous que le mot de passe choisi répond aux exigences "
                "spécifiées.",
                en="A new window opens. Type a password and confirm it. Make sure the "
                "password meets the requirements shown.")
    def step_08_choose_the_password(self) -> None:
        expect(self.heading()).to_have_text(self.t("Registration (2/2): choose your password"))
        self.check("set password")
        save = self.button("Save my password")
        self.field("New password").fill("too short")
        self.field("Confirm the new password").fill("too short")
        save.click()
        expect(self.page.locator(".error-summary")).to_be_focused()
        expect(self.page).to_have_title(re.compile("^" + re.escape(self.t("Error:"))))
        self.check("set password with errors")
        self.field("New password").fill(PASSWORD)
        self.field("Confirm the new password").fill(PASSWORD)
        self.show("set-password", save)
        save.click()

    @guide_step(9, fr="Un écran de confirmation apparaîtra indiquant que votre mot de passe a "
                "été défini.",
                en="A confirmation screen shows that your password has been set.")
    def step_09_password_set(self) -> None:
        expect(self.heading()).to_have_text(self.t("Your password has been set"))
        self.check("password set")
        self.show("password-set", self.link("Log in"))

    @guide_step(10, fr="Vous avez terminé votre inscription. Vous pouvez maintenant vous "
                "connecter à {site}.",
                en="Your registration is complete. You can now log in to {site}.")
    def step_10_log_in(self) -> None:
        self.link("Log in").click()
        self.field("Email address").fill(self.member.email)
        self.field("Password").fill(PASSWORD)
        self.check("log-in")
        log_in = self.button("Log in")
        self.show("log-in", log_in)
        log_in.click()
        expect(self.heading()).to_contain_text(self.member.first_names)
        expect(self.page.get_by_text(self.member.identifier)).to_be_visible()
        self.check("member space")
        self.show("member-space")
