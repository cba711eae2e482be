"""The espace-prive registration forms: what each field accepts, and the message when it does
not. Every form validates a draft's raw values as well as a POST (``FormData(draft)``)."""

from __future__ import annotations

from dataclasses import dataclass

from babel.support import LazyProxy
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, ValidationError

from web import forms
from web.i18n import lazy_gettext
from web.portals.espace_prive import checks
from web.registry.matching import ascii_digits
from web.registry.validation import normalized_email

IDENTIFIER_MAX = 40
FACT_MAX = 60


@dataclass(frozen=True)
class Profile:
    """What a member may say they are: its label, and a hint of who it covers."""

    label: LazyProxy
    hint: LazyProxy | None = None


COMPANY = "entreprise"
OTHER = "autre"  # not in the registry: who to contact instead
# By the code the registry records (facts["profile"], validation.PROFILE_CODES), and OTHER.
PROFILES = {
    "exploitant": Profile(lazy_gettext("Farmer")),
    COMPANY: Profile(lazy_gettext("Company")),
    "particulier": Profile(
        lazy_gettext("Individual"),
        hint=lazy_gettext("employee, retired, collaborator, dependant, jobseeker, unemployed…"),
    ),
    "employeur_jardinier": Profile(lazy_gettext("Employer of a gardener as a private individual")),
    "cotisant_solidarite": Profile(lazy_gettext("Solidarity contributor")),
    OTHER: Profile(lazy_gettext("Other…")),
}
PROFILE_HINTS = {code: profile.hint for code, profile in PROFILES.items() if profile.hint}


def _checked(clean):
    """A WTForms validator from one of ``checks.clean_*``."""

    def validator(form, field):
        try:
            clean(field.data or "")
        except checks.Invalid as problem:
            raise ValidationError(str(problem)) from None

    return validator


class _Required:
    """Marks a field required (its asterisk and aria-required) whose own check says what is
    missing, in its words, when it is empty."""

    field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        pass


def _optional(validator):
    def check(form, field):
        if field.data:
            validator(form, field)

    return check


def _choice(label, choices: dict, missing) -> RadioField:
    """A required radio group: ``choices`` maps each value to its label, ``missing`` is the
    message when none is chosen."""
    return RadioField(
        label,
        choices=[SelectChoice(value, text) for value, text in choices.items()],
        validators=[InputRequired(missing)],
    )


class ProfileForm(forms.Form):
    profile = _choice(
        lazy_gettext("You are…"),
        {code: profile.label for code, profile in PROFILES.items()},
        lazy_gettext("Choose what describes you."),
    )

    @staticmethod
    def chosen(formdata) -> str | None:
        """The profile ``formdata`` chooses when the form validates it, else None: what
        ``validate()`` answers (its first value is one of the choices) without building the
        form, which only its errors need."""
        value = formdata.get("profile")
        return value if value in PROFILES else None


class IdentifierForm(forms.Form):
    """The social security number (individuals) or the SIRET (companies), as ``identifier``.
    ``website`` is a honeypot."""

    identifier = StringField(
        lazy_gettext("Social security number"),
        filters=[forms.strip],
        validators=[forms.max_length(IDENTIFIER_MAX), _Required()],
    )
    website = StringField(lazy_gettext("Leave this field empty"))

    def __init__(self, formdata=None, *, company: bool = False, **kwargs) -> None:
        super().__init__(formdata, **kwargs)
        self.company = company
        if company:
            self.identifier.label.text = lazy_gettext("SIRET number")

    def validate_identifier(self, field):
        if not field.errors:
            _checked(checks.clean_siret if self.company else checks.clean_nir)(self, field)

    @property
    def value(self) -> str:
        clean = checks.clean_siret if self.company else checks.clean_nir
        return clean(self.identifier.data or "")


class ContactForm(forms.BirthDateForm):
    """Names, date of birth (which must agree with the NIR), email, mobile."""

    last_name = forms.last_name_field()
    first_names = forms.first_names_field()
    birth_day, birth_month, birth_year = forms.date_fields()
    email = forms.email_field()
    mobile = StringField(
        lazy_gettext("Mobile phone number (optional)"),
        filters=[forms.strip],
        validators=[forms.max_length(IDENTIFIER_MAX), _optional(_checked(checks.clean_mobile))],
    )

    def __init__(self, formdata=None, *, nir: str | None = None, **kwargs) -> None:
        super().__init__(formdata, **kwargs)
        self.nir = nir

    def cleaned(self) -> dict:
        """The normalised values of a valid form."""
        return {
            "last_name": self.last_name.data,
            "first_names": self.first_names.data if "first_names" in self else "",
            "birth_date": self.birth_date,
            "email": normalized_email(self.email.data),
            "mobile": checks.clean_mobile(self.mobile.data) if self.mobile.data else "",
        }

    def validate_birth_date(self) -> bool:
        """And it must agree with the social security number's year and month."""
        if not super().validate_birth_date():
            return False
        born = self.birth_date
        problem = checks.birth_date_problem(self.nir, born) if self.nir else None
        if problem:
            year_wrong = born.year % 100 != checks.nir_birth(self.nir)[0]
            return self.flag(["birth_year" if year_wrong else "birth_month"], problem)
        return True


class CompanyContactForm(ContactForm):
    """A company gives its name and its date of creation (the registry's "birth date")."""

    last_name = StringField(
        lazy_gettext("Company name"),
        filters=[forms.strip],
        validators=[
            InputRequired(lazy_gettext("Enter the name of the company.")),
            forms.max_length(forms.NAME_MAX),
        ],
    )
    first_names = None
    DATE_MESSAGES = {
        "missing": lazy_gettext("Enter the date of creation of the company."),
        "birth_day": lazy_gettext("The date of creation must include a day."),
        "birth_month": lazy_gettext("The date of creation must include a month."),
        "birth_year": lazy_gettext("The date of creation must include a year."),
        "numbers": lazy_gettext("The date of creation must only include numbers."),
        "real": lazy_gettext("The date of creation must be a real date."),
        "past": lazy_gettext("The date of creation must be in the past."),
        "oldest": lazy_gettext("The date of creation must be 1900 or later."),
    }


class VerificationForm(forms.Form):
    """Every question of the identity verification; only those shown are validated."""

    health = _choice(
        lazy_gettext("Health affiliation"),
        {"yes": lazy_gettext("Yes"), "no": lazy_gettext("No")},
        lazy_gettext("Answer yes or no."),
    )
    card_kind = _choice(
        lazy_gettext("Your Carte Vitale is…"),
        {"photo": lazy_gettext("With a photo"), "no_photo": lazy_gettext("Without a photo")},
        lazy_gettext("Choose the kind of your Carte Vitale."),
    )
    serial = StringField(
        lazy_gettext("Serial number of your Carte Vitale"),
        filters=[forms.strip],
        validators=[forms.max_length(FACT_MAX), _checked(checks.clean_serial), _Required()],
    )
    other = _choice(
        lazy_gettext("Another piece of information"),
        {
            "iban": lazy_gettext("The IBAN of the bank account your benefits are paid to"),
            "none": lazy_gettext("I cannot give any of these"),
        },
        lazy_gettext("Choose one of the options."),
    )
    iban = StringField(
        lazy_gettext("IBAN"),
        filters=[forms.strip],
        validators=[forms.max_length(FACT_MAX), _checked(checks.clean_iban), _Required()],
    )

    FIELDS = {
        "health": "health",
        "card": "card_kind",
        "serial": "serial",
        "other": "other",
        "iban": "iban",
    }

    def validate_questions(self, questions) -> bool:
        """Validate the fields of these questions only."""
        valid = True
        for question in questions:
            name = self.FIELDS.get(question)
            if name:
                valid = self[name].validate(self) and valid
        return valid


class EmailCodeForm(forms.Form):
    """The code mailed to a typed address, typed back (6 digits, spaces allowed)."""

    email_code = StringField(lazy_gettext("Confirmation code"), filters=[forms.strip])

    @property
    def value(self) -> str:
        return "".join(ascii_digits(self.email_code.data or "").split())
