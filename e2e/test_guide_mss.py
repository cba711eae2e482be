"""The guide "Comment s'inscrire à l'Espace Client", steps 1 to 10, in a real browser.

One demo member per language and JavaScript mode goes from the portal home to their member
space; each guide step is a method named after it that saves a screenshot
(``e2e/artifacts/mss/<lang>/<NN>-<step>[-nojs].png``) and runs axe on every state it shows.
The set-password email is read in the development mailbox (/dev/mailbox/), as a newcomer would.
"""

from __future__ import annotations

import re
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass

from babel import Locale
from playwright.sync_api import Page, expect

from e2e.helpers import Mail, Mailbox, assert_accessible, portal_text, screenshot, t
from web.registry.demo import DemoMember, demo_identities

PASSWORD = "harbour cobalt lantern meadow 71"  # noqa: S105 - a test password
# Each run registers a different demo member (an account can only be created once).
JOURNEY_MEMBERS = {("fr", True): "000314159", ("en", True): "000000101",
                   ("fr", False): "000262974", ("en", False): "000777888"}




def site(lang: str) -> str:
    return portal_text("mss", lang)


def demo(uid: str) -> DemoMember:
    return next(m for m in demo_identities("mss") if m.identifier == uid)


def database(live_server) -> sqlite3.Connection:
    return closing(sqlite3.connect(live_server.folder / "espace.sqlite3", timeout=10))


def newest_mail(live_server, to: str) -> Mail:
    """The newest email to ``to``, read in the development mailbox."""
    return Mailbox(live_server.url).newest(to)


def set_password_link(live_server, to: str) -> str:
    return next(link for link in newest_mail(live_server, to).links if "/mss/password/" in link)


def clear_verification_counters(live_server) -> None:
    """Every browser test comes from 127.0.0.1: failures (and the registrations and emails
    counted per client) of one test must not lock the next."""
    with database(live_server) as db:
        db.execute("DELETE FROM attempt_counter WHERE key LIKE 'verify%' OR key LIKE 'resend%' "
                   "OR key LIKE 'register-client:mss:%'")
        db.commit()


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


class Guide:
    """The guide's steps for one member, language and JavaScript mode."""

    def __init__(self, page: Page, lang: str, js: bool, member: DemoMember, live_server) -> None:
        self.page, self.lang, self.js, self.member = page, lang, js, member
        self.live_server = live_server
        self.typed = Typed.of(member)

    def t(self, text: str, **variables) -> str:
        return t(self.lang, text, **variables)

    def shot(self, number: int, step: str) -> None:
        screenshot(self.page, "mss", self.lang, number, step, js=self.js)

    def check(self, state: str) -> None:
        assert_accessible(self.page, f"mss {state} ({self.lang}, {'js' if self.js else 'no js'})")

    def heading(self):
        return self.page.get_by_role("heading", level=1)

    # Step 1 ---------------------------------------------------------------------------------

    def step_01_open_the_portal_home(self) -> None:
        """Étape 1 : Accédez à la page d'accueil du MSS."""
        response = self.page.goto("/mss/")
        assert response.status == 200
        expect(self.heading()).to_have_text(site(self.lang))
        expect(self.page.get_by_role("button", name=self.t("Log in"))).to_be_visible()
        self.shot(1, "home")
        self.check("home")

    # Step 2 ---------------------------------------------------------------------------------

    def step_02_click_the_red_register_button(self) -> None:
        """Étape 2 : Cliquez sur le bouton rouge « S'inscrire » en bas de la page."""
        register = self.page.get_by_role("link", name=self.t("Register"), exact=True)
        expect(register).to_have_css("background-color", "rgb(176, 0, 32)")
        register.click()
        expect(self.page).to_have_url(re.compile(r"/mss/register$"))
        expect(self.heading()).to_have_text(
            self.t("Registration form for the %(name)s", name=site(self.lang)))
        self.shot(2, "registration-form")
        self.check("empty registration form")

    # Step 3 ---------------------------------------------------------------------------------

    def field(self, label: str):
        """The input labelled ``label`` (its required marker " *" aside)."""
        return self.page.get_by_label(re.compile("^" + re.escape(self.t(label)) + r"( \*)?$"))

    def step_03_fill_in_the_form(self) -> None:
        """Étape 3 : Remplissez le formulaire : UID, prénom, nom, date de naissance, email."""
        typed = self.typed
        self.started = time.monotonic()
        self.field("Unique identification number (UID)").fill(typed.uid)
        self.field("First name").fill(typed.first_names)
        self.field("Last name").fill(typed.last_name)
        self.field("Day").fill(typed.day)
        self.field("Month").fill(typed.month)
        self.field("Year").fill(typed.year)
        email = self.field("Email address")
        self.panel_was_shown = bool(email.input_value())  # from the draft, on a reload
        email.clear()
        email.press_sequentially(typed.email, delay=5)
        if self.js and not self.panel_was_shown:  # the panel appears, the focus stays here
            expect(self.page.locator("#verify")).to_be_visible()
            expect(email).to_be_focused()
        self.field("Confirm the email address").fill(typed.email)
        self.shot(3, "form-filled")

    # Step 4 ---------------------------------------------------------------------------------

    def step_04_verify_and_answer_the_security_questions(self) -> None:
        """Étape 4 : un champ « Questions de sécurité » apparaît : « Vérifier », répondez,
        « Soumettre »."""
        verify = self.page.get_by_role("button", name=self.t("Verify"), exact=True)
        expect(verify).to_be_visible()
        if self.js and not self.panel_was_shown:  # it appeared while typing, focus kept
            expect(self.page.locator("#status")).to_contain_text(
                self.t("The security questions field has appeared after the email fields."))
            self.check("security panel")
        verify.click()
        self.answer(1, self.t("What is the name of your current employing organisation?"),
                    self.member.facts["employer"])
        country = Locale.parse(self.lang).territories[self.member.facts["duty_country"]]
        self.answer(2, self.t("In which country is your current duty station?"), country)
        expect(self.page.locator("#verified")).to_contain_text(
            self.t("Your identity has been verified."))
        self.shot(4, "security-questions")
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
        self.page.get_by_role("button", name=self.t("Submit"), exact=True).click()

    # Step 5 ---------------------------------------------------------------------------------

    def step_05_read_and_accept_the_policy(self) -> None:
        """Étape 5 : « Lire et accepter » ouvre la politique : « Accepter »."""
        self.page.get_by_role("button", name=self.t("Read and accept")).click()
        title = self.t("Privacy policy and terms of use")
        if self.js:
            dialog = self.page.get_by_role("dialog", name=title)
            expect(dialog).to_be_visible()
            expect(dialog.get_by_role("heading", name=title)).to_be_focused()
        else:
            expect(self.heading()).to_have_text(title)
        self.shot(5, "policy")
        self.check("policy")
        self.page.get_by_role("button", name=self.t("Accept"), exact=True).click()
        expect(self.page.locator("#policy-accepted")).to_be_visible()
        expect(self.field("First name")).to_have_value(
            self.typed.first_names)  # nothing typed was lost

    # Step 6 ---------------------------------------------------------------------------------

    def step_06_register(self) -> None:
        """Étape 6 : Cliquez sur « S'inscrire » : l'écran de confirmation apparaît."""
        self.wait_like_a_person()
        self.page.get_by_role("button", name=self.t("Register"), exact=True).click()
        expect(self.heading()).to_have_text(self.t("Registration (1/2): your information"))
        expect(self.page.get_by_role("heading", name=self.t("Congratulations!"))).to_be_visible()
        expect(self.page).to_have_title(
            f"{self.t('Registration (1/2) confirmed')} – {site(self.lang)}")
        when = self.page.locator("time").inner_text()  # in the member's language
        assert re.search(r"[^\W\d]{3,} \d{1,2}, \d{4}|\d{1,2} [^\W\d]{3,} \d{4}", when), when
        assert when.endswith(("UTC", "TU")), when
        self.shot(6, "confirmation")
        self.check("confirmation")

    def wait_like_a_person(self) -> None:
        """The form refuses a registration sent within 3 s of being filled in (a robot): a
        person always takes longer, a script may not."""
        time.sleep(max(0.0, 3.2 - (time.monotonic() - self.started)))

    # Step 7 ---------------------------------------------------------------------------------

    def step_07_open_the_email_and_confirm(self) -> None:
        """Étape 7 : ouvrez l'email de la Caisse : cliquez sur le lien ou sur « Confirmer »."""
        mail = newest_mail(self.live_server, self.member.email)
        assert self.member.first_names in mail.text
        self.page.goto("/dev/mailbox/")
        self.page.locator(f'a[href="/dev/mailbox/{mail.id}"]').click()
        self.page.get_by_role("link", name=re.compile("HTML")).click()
        self.shot(7, "email")
        self.page.get_by_role("link", name=self.t("Confirm"), exact=True).click()

    # Step 8 ---------------------------------------------------------------------------------

    def step_08_choose_the_password(self) -> None:
        """Étape 8 : saisissez un mot de passe et confirmez-le, selon les exigences."""
        expect(self.heading()).to_have_text(self.t("Registration (2/2): choose your password"))
        self.check("set password")
        new = self.field("New password")
        confirmation = self.field("Confirm the new password")
        new.fill("too short")
        confirmation.fill("too short")
        self.page.get_by_role("button", name=self.t("Save my password")).click()
        expect(self.page.locator(".error-summary")).to_be_focused()
        expect(self.page).to_have_title(re.compile("^" + re.escape(self.t("Error:"))))
        self.check("set password with errors")
        self.field("New password").fill(PASSWORD)
        self.field("Confirm the new password").fill(PASSWORD)
        self.shot(8, "set-password")
        self.page.get_by_role("button", name=self.t("Save my password")).click()

    # Step 9 ---------------------------------------------------------------------------------

    def step_09_password_set(self) -> None:
        """Étape 9 : un écran confirme que votre mot de passe a été défini."""
        expect(self.heading()).to_have_text(self.t("Your password has been set"))
        self.shot(9, "password-set")
        self.check("password set")

    # Step 10 --------------------------------------------------------------------------------

    def step_10_log_in(self) -> None:
        """Étape 10 : votre inscription est terminée : connectez-vous."""
        self.page.get_by_role("link", name=self.t("Log in"), exact=True).click()
        self.field("Email address").fill(self.member.email)
        self.field("Password").fill(PASSWORD)
        self.check("log-in")
        self.page.get_by_role("button", name=self.t("Log in"), exact=True).click()
        expect(self.heading()).to_contain_text(self.member.first_names)
        expect(self.page.get_by_text(self.member.identifier)).to_be_visible()
        self.shot(10, "member-space")
        self.check("member space")

    def follow(self) -> None:
        self.step_01_open_the_portal_home()
        self.step_02_click_the_red_register_button()
        self.step_03_fill_in_the_form()
        self.step_04_verify_and_answer_the_security_questions()
        self.step_05_read_and_accept_the_policy()
        self.step_06_register()
        self.step_07_open_the_email_and_confirm()
        self.step_08_choose_the_password()
        self.step_09_password_set()
        self.step_10_log_in()


def test_guide_mss(lang_page: Page, lang: str, js: bool, live_server) -> None:
    """Guide steps 1–10, fr and en, with JavaScript on and off."""
    clear_verification_counters(live_server)
    Guide(lang_page, lang, js, demo(JOURNEY_MEMBERS[lang, js]), live_server).follow()
