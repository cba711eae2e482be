"""The mss registration forms: what each field accepts and the message when it does not."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import DataRequired, ValidationError

from web import forms
from web.i18n import lazy_gettext
from web.registry.matching import ascii_digits, normalize_email

ANSWER_MAX = 100


def compact_uid(value: str) -> str:
    return ascii_digits("".join((value or "").split()))


def _uid_check(form, field):
    uid = compact_uid(field.data)
    if len(uid) != 9 or not uid.isascii() or not uid.isdigit():
        raise ValidationError(lazy_gettext("Your UID must be 9 digits, for example 000123456."))


def confirm_field() -> StringField:
    return StringField(
        lazy_gettext("Confirm the email address"),
        filters=[forms.strip],
        validators=[
            DataRequired(lazy_gettext("Enter your email address again to confirm it.")),
            _same_email,
        ],
    )


def _same_email(form, field):
    if normalize_email(field.data) != normalize_email(form.email.data):
        raise ValidationError(lazy_gettext("The two email addresses do not match."))


class RegistrationForm(forms.BirthDateForm):
    uid = StringField(
        lazy_gettext("Unique identification number (UID)"),
        filters=[forms.strip],
        validators=[
            DataRequired(lazy_gettext("Enter your UID.")), forms.max_length(30), _uid_check
        ],
    )
    first_names = forms.first_names_field()
    last_name = forms.last_name_field()
    birth_day, birth_month, birth_year = forms.date_fields()
    email = forms.email_field()
    email_confirm = confirm_field()
    # Honeypot: hidden from people, filled by form-filling robots.
    website = StringField(lazy_gettext("Leave this field empty"))

    @property
    def uid_value(self) -> str:
        return compact_uid(self.uid.data)


class AnswerForm(forms.Form):
    answer = StringField(
        lazy_gettext("Answer"),
        filters=[forms.strip],
        validators=[DataRequired(lazy_gettext("Enter your answer.")), forms.max_length(ANSWER_MAX)],
    )


class ChangeEmailForm(forms.Form):
    email = forms.email_field()
    email_confirm = confirm_field()
