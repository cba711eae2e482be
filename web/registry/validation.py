"""What a registry value must look like, and its stored form.

Each ``column_*`` returns the value as the registry stores it, or raises ``Invalid`` with a
translated reason that names the column. The CSV importer uses them; the demo registry is
tested against them; journeys may reuse the identifier checks.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import phonenumbers
from babel import Locale
from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from phonenumbers import PhoneNumberFormat, PhoneNumberType
from stdnum import iban as stdnum_iban
from stdnum.fr import nir, siret

from web.i18n import LANGUAGES, lazy_gettext
from web.i18n import gettext as _

PORTALS = ("mss", "espace-prive")
PROFILE_CODES = (
    "exploitant", "entreprise", "particulier", "employeur_jardinier", "cotisant_solidarite",
)
VITALE_KINDS = ("photo", "no_photo")
# Column limits, matching the model (address and facts are ours: the model has no limit).
MAX_LENGTH = {
    "identifier": 32,
    "last_name": 200,
    "first_names": 200,
    "email": 320,
    "mobile": 32,
    "address": 1000,
    "employer": 200,
    "vitale_serial": 20,
    "iban": 42,
}
# Where a French number written nationally (0…) may belong: metropolitan France, then overseas.
NATIONAL_REGIONS = ("FR", "GP", "MQ", "GF", "RE", "YT", "PM")
MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
# The first digit of a social security number: 1, 2; 3, 4 (civil status being set up); 7, 8
# (temporary numbers). Its months: 01-12, 20 (unknown), 30-42 and 50-99 (incomplete status).
NIR_SEXES = "123478"
NIR_MONTHS = frozenset({*range(1, 13), 20, *range(30, 43), *range(50, 100)})
_NIR13 = re.compile(rf"[{NIR_SEXES}][0-9]{{4}}([0-9]{{2}}|2A|2B)[0-9]{{6}}")
_UID = re.compile(r"[0-9]{9}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Unicode's control characters (category Cc: U+0000-001F, U+007F-009F) and the bidi ones;
# a multi-line value may hold line feeds.
_CONTROLS = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI_CONTROLS}]")
_CONTROLS_BUT_LF = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f{_BIDI_CONTROLS}]")
# An address of the usual characters only (dot-atoms, letter-digit-hyphen labels, a letters-only
# top-level domain): email-validator always takes it, as it is with its domain in lower case.
# Checked here at once (the validator costs tens of µs: per imported row, per pause in typing);
# anything else is the validator's to judge.
_PLAIN_EMAIL = re.compile(
    r"(?P<local>[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*)"
    r"@(?P<domain>(?:[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*\.)+[A-Za-z]{2,63})"
)
# The domains email-validator refuses, and their subdomains (checked by C, not a generator:
# an email is checked at every pause in typing).
_SPECIAL_USE = frozenset(SPECIAL_USE_DOMAIN_NAMES)
_SPECIAL_USE_ENDINGS = tuple("." + name for name in SPECIAL_USE_DOMAIN_NAMES)
EMAIL_MAX = 254  # RFC 3696 errata, as email-validator
LOCAL_PART_MAX = 64
DOMAIN_MAX = 253
LABEL_MAX = 63
COUNTRIES = frozenset(Locale("en").territories)
_YES = {"yes", "y", "true", "1", "oui", "o"}
_NO = {"no", "n", "false", "0", "non", ""}


class Invalid(ValueError):
    """A value that is not accepted (by the registry, or by a journey's form); ``str()`` is
    the translated reason."""


def column_text(
    value: str,
    column: str,
    *,
    required: bool = False,
    multiline: bool = False,
    max_length: int | None = None,
) -> str:
    """Trimmed, NFC-normalised text without control characters."""
    value = unicodedata.normalize("NFC", (value or "").replace("\r\n", "\n").strip())
    limit = max_length or MAX_LENGTH[column]
    if required and not value:
        raise Invalid(_("%(column)s is required", column=column))
    if len(value) > limit:
        raise Invalid(
            _("%(column)s is too long (at most %(max)s characters)", column=column, max=limit)
        )
    if (_CONTROLS_BUT_LF if multiline else _CONTROLS).search(value):
        raise Invalid(_("%(column)s contains control characters", column=column))
    return value


def column_name(value: str, column: str, *, required: bool = True) -> str:
    value = column_text(value, column, required=required)
    # isalpha: Unicode's L categories; most names start with one (a row is checked at once)
    if value and not (value[0].isalpha() or any(c.isalpha() for c in value)):
        raise Invalid(_("%(column)s must contain letters", column=column))
    return value


def compact(value: str) -> str:
    return "".join((value or "").split()).upper()


def is_uid(value: str) -> bool:
    return bool(_UID.fullmatch(value))


def is_nir13(value: str) -> bool:
    """A social security number without its key (the rules the espace-prive journey
    applies): sex, year, an INSEE month, department (2A/2B for Corsica), commune, order."""
    return (
        bool(_NIR13.fullmatch(value))
        and int(value[3:5]) in NIR_MONTHS
        and nir.is_valid(value + nir.calc_check_digits(value))
    )


def nir_agrees_with_birth_date(nir13: str, birth_date: date) -> bool:
    """The year always agrees, the month when the number gives one (01-12)."""
    month = int(nir13[3:5])
    return int(nir13[1:3]) == birth_date.year % 100 and (month > 12 or month == birth_date.month)


def is_siret(value: str) -> bool:
    return len(value) == 14 and siret.is_valid(value)


def column_birth_date(value: str) -> date:
    value = (value or "").strip()
    try:
        if not _ISO_DATE.fullmatch(value):
            raise ValueError(value)
        parsed = date.fromisoformat(value)
    except ValueError:
        raise Invalid(_("birth_date: expected a date such as 1970-01-31")) from None
    if not date(1800, 1, 1) <= parsed <= date.today():
        raise Invalid(_("birth_date: not a plausible date"))
    return parsed


def _optional_column(value: str, name: str, normal, message) -> str:
    """An optional column: "" when empty, else ``normal(value)``; Invalid (``message``, lazy:
    translated only for a rejected row) when that is None."""
    value = column_text(value, name)
    if not value:
        return ""
    normalized = normal(value)
    if normalized is None:
        raise Invalid(str(message))
    return normalized


def column_email(value: str) -> str:
    return _optional_column(value, "email", normalized_email,
                            lazy_gettext("email: not a valid email address"))


def normalized_email(value: str) -> str | None:
    """``value`` as email-validator normalises it, or None when it is not an address."""
    plain = _PLAIN_EMAIL.fullmatch(value) if len(value) <= EMAIL_MAX else None
    if plain:
        local, domain = plain["local"], plain["domain"].lower()
        if (len(local) <= LOCAL_PART_MAX and len(domain) <= DOMAIN_MAX
                and max(map(len, domain.split("."))) <= LABEL_MAX
                and domain not in _SPECIAL_USE and not domain.endswith(_SPECIAL_USE_ENDINGS)):
            return f"{local}@{domain}"
    if "." not in value.rpartition("@")[2]:
        return None  # no domain with a dot (an address half typed): the validator says so too
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def column_mobile(value: str) -> str:
    """A mobile number in E.164 (national numbers: mainland France or overseas)."""
    return _optional_column(value, "mobile", _e164_mobile,
                            lazy_gettext("mobile: not a valid mobile number"))


def _e164_mobile(text: str) -> str | None:
    number = parse_phone(text)
    if number is None or phonenumbers.number_type(number) not in MOBILE_TYPES:
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def parse_phone(text: str) -> phonenumbers.PhoneNumber | None:
    """A valid phone number: international (+…, 00…), or French written nationally."""
    international = text.startswith(("+", "00"))
    for region in (None,) if text.startswith("+") else NATIONAL_REGIONS:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return number
        if international:
            return None
    return None


def column_language(value: str) -> str:
    value = (value or "").strip().lower() or "fr"
    if value not in LANGUAGES:
        raise Invalid(_("language: expected fr or en"))
    return value


def column_iban(value: str) -> str:
    return _optional_column(value, "iban", _compact_iban, lazy_gettext("iban: not a valid IBAN"))


def _compact_iban(text: str) -> str | None:
    return stdnum_iban.compact(text) if stdnum_iban.is_valid(text) else None


def column_country(value: str) -> str:
    """An ISO 3166 alpha-2 code (the fund stores codes, journeys show localized names)."""
    code = (value or "").strip().upper()
    if not (
        len(code) == 2 and code.isalpha() and code.isascii() and code in COUNTRIES
    ):
        raise Invalid(_("duty_country: expected a country code such as KE"))
    return code


def column_year(value: str, column: str, *, not_before: int) -> int:
    value = (value or "").strip()
    if not (
        value.isascii()
        and value.isdigit()
        and len(value) == 4
        and not_before <= int(value) <= date.today().year
    ):
        raise Invalid(_("%(column)s: expected a year such as 1998", column=column))
    return int(value)


def column_bool(value: str, column: str) -> bool:
    value = (value or "").strip().lower()
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise Invalid(_("%(column)s: expected yes or no", column=column))


def column_choice(
    value: str, column: str, choices: tuple[str, ...], *, required: bool = True
) -> str:
    value = (value or "").strip().lower()
    if value in choices or (not required and not value):
        return value
    raise Invalid(
        _("%(column)s: expected one of %(choices)s", column=column, choices=", ".join(choices))
    )


def column_vitale_serial(value: str) -> str:
    value = compact(value)
    if value and not (value.isascii() and value.isdigit() and 6 <= len(value) <= 20):
        raise Invalid(_("vitale_serial: expected 6 to 20 digits"))
    return value
