"""WTForms glue: a base form speaking our language, request form data, error summary pairs.

form = RegistrationForm(await read_form(request))   # or FormData(await request.form())
if not form.validate():
    errors = error_list(form, groups=[("birth_day", "birth_month", "birth_year")])
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from functools import cache

import wtforms
from starlette.requests import Request
from wtforms.i18n import messages_path
from wtforms.validators import DataRequired, Length, ValidationError

from web import i18n
from web.i18n import lazy_gettext
from web.registry.matching import ascii_digits, looks_like_a_name
from web.registry.validation import EMAIL_MAX, normalized_email

# Our wording of the messages WTForms builds in. A literal "%%(max)d" stays "%(max)d" after our
# gettext, for WTForms to fill in.
REQUIRED = lazy_gettext("This field is required.")
CHOICE = lazy_gettext("Choose one of the options.")
INTEGER = lazy_gettext("Enter a whole number.")
TOO_LONG = lazy_gettext("Enter at most %%(max)d characters.")
INVALID = lazy_gettext("The value entered is not valid.")

_BUILT_IN = {
    "This field is required.": REQUIRED,
    "Not a valid choice.": CHOICE,
    "Not a valid integer value.": INTEGER,
    "Invalid input.": INVALID,
}

# C0 controls except tab, newline, carriage return, and DEL: never meaningful in a form field
# (PostgreSQL also refuses NUL in text).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Password fields are kept exactly as typed (they are hashed, never stored): the policy says
# what is wrong with a control character rather than changing the password silently.
PASSWORD_FIELDS = frozenset({"password", "confirmation", "current"})


@cache
def _wtforms_catalog(language: str) -> gettext.NullTranslations:
    return gettext.translation("wtforms", messages_path(), [language], fallback=True)


class _Translations:
    """WTForms' own messages: ours where we have them, else WTForms' catalog of the language."""

    def _builtin(self) -> gettext.NullTranslations:
        return _wtforms_catalog(i18n.current_language.get())

    def gettext(self, string: str) -> str:
        ours = _BUILT_IN.get(string)
        return str(ours) if ours is not None else self._builtin().gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._builtin().ngettext(singular, plural, n)


_TRANSLATIONS = _Translations()


class Form(wtforms.Form):
    """Base form of the journeys: WTForms' built-in messages in the request's language."""

    class Meta:
        def get_translations(self, form):
            return _TRANSLATIONS


class FormData:
    """A request's form as WTForms reads it (``getlist``): text values only, without control
    characters outside password fields. Files are ignored."""

    def __init__(self, form: Mapping | Iterable[tuple[str, object]] = ()) -> None:
        items = (
            form.multi_items()
            if hasattr(form, "multi_items")
            else (form.items() if isinstance(form, Mapping) else form)
        )
        self._items = [
            (k, v if v.isprintable() or k in PASSWORD_FIELDS else _CONTROL.sub("", v))
            for k, v in items
            if isinstance(v, str)
        ]  # a printable text has no control character: isprintable is C, much cheaper

    def getlist(self, key: str) -> list[str]:
        return [value for name, value in self._items if name == key]

    def get(self, key: str, default: str | None = None) -> str | None:
        for name, value in self._items:
            if name == key:
                return value
        return default

    def __contains__(self, key: object) -> bool:
        return any(name == key for name, _ in self._items)

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(name for name, _ in self._items))

    def __len__(self) -> int:
        return len(self._items)

    def __bool__(self) -> bool:
        return bool(self._items)

    def to_dict(self) -> dict[str, str]:
        """First value of each field (e.g. to save a draft as typed)."""
        return {name: self.get(name) for name in self}


async def read_form(request: Request) -> FormData:
    """The request's form: as the request guard parsed it (urlencoded), else Starlette's."""
    items = request.scope.get("state", {}).get("form_items")
    return FormData(items if items is not None else await request.form())


def name_check(message):
    """A WTForms validator: ``message`` unless the value looks like a person's name."""

    def check(form, field):
        if not looks_like_a_name(field.data or ""):
            raise ValidationError(message)

    return check


NAME_MAX = 100


def is_email(value: str) -> bool:
    """``value`` is an email address in the correct format (no deliverability check)."""
    return bool(value) and normalized_email(value) is not None


def email_format(form, field):
    if not is_email(field.data or ""):
        raise ValidationError(
            lazy_gettext("Enter an email address in the correct format, like name@example.org.")
        )


def email_field() -> wtforms.StringField:
    """An email address, as both journeys ask for it."""
    return wtforms.StringField(
        lazy_gettext("Email address"),
        filters=[strip],
        validators=[
            DataRequired(lazy_gettext("Enter your email address.")),
            max_length(EMAIL_MAX),
            email_format,
        ],
    )


def first_names_field() -> wtforms.StringField:
    return _name_field(
        lazy_gettext("First name"),
        lazy_gettext("Enter your first name."),
        lazy_gettext("First name must only include letters, spaces, hyphens and apostrophes."),
    )


def last_name_field() -> wtforms.StringField:
    return _name_field(
        lazy_gettext("Last name"),
        lazy_gettext("Enter your last name."),
        lazy_gettext("Last name must only include letters, spaces, hyphens and apostrophes."),
    )


def _name_field(label, missing, not_a_name) -> wtforms.StringField:
    return wtforms.StringField(
        label,
        filters=[strip],
        validators=[DataRequired(missing), max_length(NAME_MAX), name_check(not_a_name)],
    )


def date_fields() -> tuple[wtforms.StringField, ...]:
    """The date_input component's day, month and year, for a ``BirthDateForm`` to declare in
    its order: ``birth_day, birth_month, birth_year = date_fields()``."""
    return tuple(
        wtforms.StringField(label, filters=[strip])
        for label in (lazy_gettext("Day"), lazy_gettext("Month"), lazy_gettext("Year"))
    )


class BirthDateForm(Form):
    """A form holding the date_input component's three fields, ``birth_day``, ``birth_month``
    and ``birth_year`` (declared by the subclass, in its order, with ``date_fields()``),
    checked together: one precise message, on the fields concerned. ``DATE_MESSAGES`` may be
    reworded (a company's date of creation)."""

    DATE_PARTS = ("birth_day", "birth_month", "birth_year")
    OLDEST_YEAR = 1900
    DATE_MESSAGES = {
        "missing": lazy_gettext("Enter your date of birth."),
        "birth_day": lazy_gettext("Date of birth must include a day."),
        "birth_month": lazy_gettext("Date of birth must include a month."),
        "birth_year": lazy_gettext("Date of birth must include a year."),
        "numbers": lazy_gettext("Date of birth must only include numbers."),
        "real": lazy_gettext("Date of birth must be a real date."),
        "past": lazy_gettext("Date of birth must be in the past."),
        "oldest": lazy_gettext("Date of birth must be 1900 or later."),
    }

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return self.validate_birth_date() and valid

    @property
    def birth_date(self) -> date | None:
        try:
            parts = [int(ascii_digits(self[name].data or "")) for name in self.DATE_PARTS]
            return date(parts[2], parts[1], parts[0])
        except (ValueError, OverflowError):
            return None

    def flag(self, names, message) -> bool:
        """Put ``message`` on each of these fields; False (the form is not valid)."""
        for name in names:
            self[name].errors = [message]
        return False

    def validate_birth_date(self) -> bool:
        says = self.DATE_MESSAGES
        values = {name: ascii_digits(self[name].data or "") for name in self.DATE_PARTS}
        missing = [name for name, value in values.items() if not value]
        if len(missing) == len(values):
            return self.flag(self.DATE_PARTS, says["missing"])
        if missing:
            return self.flag(missing, says[missing[0]])
        not_numbers = [n for n, v in values.items() if not (v.isascii() and v.isdigit())]
        if not_numbers:
            return self.flag(not_numbers, says["numbers"])
        if len(values["birth_year"]) != 4:
            return self.flag(["birth_year"], lazy_gettext("Year must include 4 numbers."))
        born = self.birth_date
        if born is None:
            return self.flag(self.DATE_PARTS, says["real"])
        if born > date.today():
            return self.flag(self.DATE_PARTS, says["past"])
        if born.year < self.OLDEST_YEAR:
            return self.flag(["birth_year"], says["oldest"])
        return True


def max_length(limit: int, message=None) -> Length:
    """Length(max=…) with our message ("Enter at most %(max)d characters.")."""
    return Length(max=limit, message=message or TOO_LONG)


def strip(value):
    """A WTForms filter: surrounding spaces removed (not for passwords)."""
    return value.strip() if isinstance(value, str) else value


def _link_id(field) -> str:
    # A radio group's first option is what the summary link focuses.
    return f"{field.id}-0" if field.type == "RadioField" else field.id


def error_list(
    form: wtforms.Form,
    id_overrides: Mapping[str, str] | None = None,
    groups: Iterable[Iterable[str]] = (),
) -> list[tuple[str | None, str]]:
    """(field id, message) pairs for the error summary, in the form's order: each field's first
    error, as shown inline. A group (e.g. day, month, year of a date_input) gives one pair: its
    first error, linked to its first invalid field. ``id_overrides`` maps a field name to the
    id to link to. Form-level errors (``form.form_errors``) come last, without a link."""
    overrides = dict(id_overrides or {})
    group_of = {name: tuple(group) for group in groups for name in group}
    pairs: list[tuple[str | None, str]] = []
    seen: set[str] = set()
    for field in form:
        if field.name in seen or not field.errors or not isinstance(field.errors, list):
            continue
        target = field
        if field.name in group_of:
            seen.update(group_of[field.name])
            target = next(form[name] for name in group_of[field.name] if form[name].errors)
        link = overrides.get(target.name) or overrides.get(field.name) or _link_id(target)
        pairs.append((link, str(target.errors[0])))
    pairs.extend((None, str(message)) for message in getattr(form, "form_errors", []))
    return pairs
