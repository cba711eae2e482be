"""The mss registration forms: what each field accepts and the message when it does not."""

from __future__ import annotations

import unicodedata
from datetime import date

from wtforms import StringField
from wtforms.validators import DataRequired, ValidationError

from web.forms import (
    Form,
    email_field,
    first_names_field,
    last_name_field,
    max_length,
    strip,
)
from web.i18n import lazy_gettext

ANSWER_MAX = 100
OLDEST_YEAR = 1900


def ascii_digits(value: str) -> str:
    """Any script's decimal digits as 0-9 (an Arabic-Indic UID is the same UID)."""
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in value)


def compact_uid(value: str) -> str:
    return ascii_digits("".join((value or "").split()))



def _uid_check(form, field):
    uid = compact_uid(field.data)
    if len(uid) != 9 or not uid.isascii() or not uid.isdigit():
        raise ValidationError(lazy_gettext("Your UID must be 9 digits, for example 000123456."))




def confirm_field() -> StringField:
    return StringField(
        lazy_gettext("Confirm the email address"),
        filters=[strip],
        validators=[
            DataRequired(lazy_gettext("Enter your email address again to confirm it.")),
            _same_email,
        ],
    )


def _same_email(form, field):
    if field.data.casefold() != (form.email.data or "").casefold():
        raise ValidationError(lazy_gettext("The two email addresses do not match."))


class RegistrationForm(Form):
    uid = StringField(
        lazy_gettext("Unique identification number (UID)"),
        filters=[strip],
        validators=[DataRequired(lazy_gettext("Enter your UID.")), max_length(30), _uid_check],
    )
    first_names = first_names_field()
    last_name = last_name_field()
    birth_day = StringField(lazy_gettext("Day"), filters=[strip])
    birth_month = StringField(lazy_gettext("Month"), filters=[strip])
    birth_year = StringField(lazy_gettext("Year"), filters=[strip])
    email = email_field()
    email_confirm = confirm_field()
    # Honeypot: hidden from people, filled by form-filling robots.
    website = StringField(lazy_gettext("Leave this field empty"))

    DATE_PARTS = ("birth_day", "birth_month", "birth_year")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return self._validate_birth_date() and valid

    @property
    def uid_value(self) -> str:
        return compact_uid(self.uid.data)

    @property
    def birth_date(self) -> date | None:
        try:
            parts = [int(ascii_digits(self[name].data or "")) for name in self.DATE_PARTS]
            return date(parts[2], parts[1], parts[0])
        except (ValueError, OverflowError):
            return None

    def _flag(self, names, message) -> bool:
        for name in names:
            self[name].errors = [message]
        return False

    def _validate_birth_date(self) -> bool:
        values = {name: ascii_digits(self[name].data or "") for name in self.DATE_PARTS}
        missing = [name for name, value in values.items() if not value]
        if len(missing) == 3:
            return self._flag(self.DATE_PARTS, lazy_gettext("Enter your date of birth."))
        if missing:
            part = {
                "birth_day": lazy_gettext("Date of birth must include a day."),
                "birth_month": lazy_gettext("Date of birth must include a month."),
                "birth_year": lazy_gettext("Date of birth must include a year."),
            }[missing[0]]
            return self._flag(missing, part)
        not_numbers = [n for n, v in values.items() if not (v.isascii() and v.isdigit())]
        if not_numbers:
            return self._flag(not_numbers, lazy_gettext("Date of birth must only include numbers."))
        if len(values["birth_year"]) != 4:
            return self._flag(["birth_year"], lazy_gettext("Year must include 4 numbers."))
        born = self.birth_date
        if born is None:
            return self._flag(self.DATE_PARTS, lazy_gettext("Date of birth must be a real date."))
        if born > date.today():
            return self._flag(self.DATE_PARTS, lazy_gettext("Date of birth must be in the past."))
        if born.year < OLDEST_YEAR:
            return self._flag(["birth_year"], lazy_gettext("Date of birth must be 1900 or later."))
        return True


class AnswerForm(Form):
    answer = StringField(
        lazy_gettext("Answer"),
        filters=[strip],
        validators=[DataRequired(lazy_gettext("Enter your answer.")), max_length(ANSWER_MAX)],
    )


class ChangeEmailForm(Form):
    email = email_field()
    email_confirm = confirm_field()
