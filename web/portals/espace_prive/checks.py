"""What the espace-prive journey accepts: social security number (NIR), SIRET, mobile number,
IBAN, Carte Vitale serial number. Each ``clean_*`` returns the normalised value or raises
``Invalid`` with a precise, localized message (never a 500, whatever is typed)."""

from __future__ import annotations

from datetime import date

import phonenumbers
from phonenumbers import PhoneNumberFormat
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import nir as stdnum_nir
from stdnum.fr import siret as stdnum_siret

from web.i18n import gettext as _
from web.registry.matching import ascii_digits
from web.registry.validation import MOBILE_TYPES, NIR_MONTHS, NIR_SEXES, Invalid, parse_phone

NIR_LENGTH = 13
NIR_WITH_KEY = 15
SIRET_LENGTH = 14
SERIAL_LENGTHS = range(8, 13)
SEPARATORS = " .-\u00a0\u202f\t"


def compact(value: str) -> str:
    """Without spaces, dots, dashes; digits in ASCII; letters in upper case."""
    return ascii_digits("".join(c for c in (value or "") if c not in SEPARATORS)).upper()


# -- social security number ------------------------------------------------------------------


def clean_nir(value: str) -> str:
    """The 13 characters of a social security number (a 15-character one with a right key is
    accepted and its key removed)."""
    number = compact(value)
    if not number:
        raise Invalid(_("Enter your social security number."))
    if any(not (c.isascii() and (c.isdigit() or c in "AB")) for c in number):
        raise Invalid(
            _("A social security number contains only digits (and A or B for Corsica).")
        )
    if len(number) == NIR_WITH_KEY:
        if _nir_with_key_valid(number):
            number = number[:NIR_LENGTH]
        else:
            raise Invalid(
                _(
                    "The last 2 digits (the key) do not match the number. Enter only the "
                    "first 13 characters, without the key."
                )
            )
    if len(number) != NIR_LENGTH:
        raise Invalid(
            _(
                "Enter the 13 characters of your number, without the 2-digit key "
                "(you entered %(count)s).",
                count=len(number),
            )
        )
    _check_nir_structure(number)
    return number


def _nir_with_key_valid(number: str) -> bool:
    try:
        stdnum_nir.validate(number)
    except (StdnumError, ValueError):
        return False
    return True


def _check_nir_structure(number: str) -> None:
    try:
        stdnum_nir.validate(number + stdnum_nir.calc_check_digits(number))
    except (StdnumError, ValueError):
        raise Invalid(
            _(
                "This number is not a valid social security number: only the 6th and 7th "
                "characters may be letters (2A or 2B for Corsica). Check it."
            )
        ) from None
    if number[0] not in NIR_SEXES:
        raise Invalid(
            _(
                "The first digit of a social security number is 1, 2, 3, 4, 7 or 8, "
                "not %(digit)s.",
                digit=number[0],
            )
        )
    month = number[3:5]
    if int(month) not in NIR_MONTHS:
        raise Invalid(
            _(
                "The 4th and 5th digits give the month of birth: %(month)s is not possible. "
                "They are 01 to 12; when the month of birth is unknown, 20, 30 to 42 or "
                "50 to 99.",
                month=month,
            )
        )


def nir_birth(number: str) -> tuple[int, int | None]:
    """(two-digit year, month or None when the number does not say it) of a valid NIR."""
    month = int(number[3:5])
    return int(number[1:3]), month if 1 <= month <= 12 else None


def birth_date_problem(number: str, birth: date) -> str | None:
    """Why a date of birth disagrees with the year and month in the social security number."""
    year, month = nir_birth(number)
    if birth.year % 100 != year:
        return _(
            "Your year of birth (%(year)s) does not match your social security number, whose "
            "2nd and 3rd digits (%(digits)s) give the year of birth.",
            year=birth.year,
            digits=f"{year:02d}",
        )
    if month is not None and birth.month != month:
        return _(
            "Your month of birth (%(month)s) does not match your social security number, whose "
            "4th and 5th digits (%(digits)s) give the month of birth.",
            month=f"{birth.month:02d}",
            digits=f"{month:02d}",
        )
    return None


def format_nir(number: str) -> str:
    """1 85 05 78 006 084, as printed on the card."""
    parts = (number[:1], number[1:3], number[3:5], number[5:7], number[7:10], number[10:13])
    return " ".join(p for p in parts if p)


# -- SIRET ------------------------------------------------------------------------------------


def clean_siret(value: str) -> str:
    number = compact(value)
    if not number:
        raise Invalid(_("Enter your SIRET number."))
    if not (number.isascii() and number.isdigit()):
        raise Invalid(_("A SIRET number contains only digits."))
    if len(number) != SIRET_LENGTH:
        raise Invalid(
            _("A SIRET number has 14 digits (you entered %(count)s).", count=len(number))
        )
    try:
        return stdnum_siret.validate(number)
    except (StdnumError, ValueError):
        raise Invalid(
            _("This SIRET number is not valid: a digit is probably wrong. Check it.")
        ) from None


def format_siret(number: str) -> str:
    return f"{number[:3]} {number[3:6]} {number[6:9]} {number[9:]}"


def format_identifier(identifier: str) -> str:
    """A NIR or a SIRET written the way it is printed."""
    if len(identifier) == NIR_LENGTH:
        return format_nir(identifier)
    return format_siret(identifier) if len(identifier) == SIRET_LENGTH else identifier


# -- mobile phone -----------------------------------------------------------------------------


def clean_mobile(value: str) -> str:
    """A mobile number in E.164 (+33612345678). French numbers may be written nationally
    (06…, 07…, overseas 0690…, 0692…); others need their international prefix."""
    text = ascii_digits((value or "").strip())
    if not text:
        raise Invalid(_("Enter your mobile phone number."))
    allowed = set("0123456789+()" + SEPARATORS)
    if len(text) > 30 or any(c not in allowed for c in text):
        raise Invalid(
            _(
                "Enter a mobile phone number with digits only, like 06 12 34 56 78 "
                "or +590 690 12 34 56."
            )
        )
    number = parse_phone(text)
    if number is None:
        raise Invalid(
            _(
                "This is not a valid phone number. Enter a mobile number like 06 12 34 56 78, "
                "or with its country code like +590 690 12 34 56."
            )
        )
    if phonenumbers.number_type(number) not in MOBILE_TYPES:
        raise Invalid(
            _(
                "This number is not a mobile phone number: enter a mobile number "
                "(for example 06 or 07 in metropolitan France)."
            )
        )
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def format_mobile(e164: str) -> str:
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


# -- verification facts -----------------------------------------------------------------------


def clean_iban(value: str) -> str:
    number = compact(value)
    if not number:
        raise Invalid(_("Enter the IBAN of the account your benefits are paid to."))
    if len(number) > 34 or not number.isascii() or not number.isalnum():
        raise Invalid(
            _("An IBAN contains only letters and digits, like FR76 3000 6000 0112 3456 7890 189.")
        )
    try:
        return stdnum_iban.validate(number)
    except (StdnumError, ValueError):
        raise Invalid(
            _(
                "This IBAN is not valid: a character is probably wrong. Check it, for example "
                "on a bank statement."
            )
        ) from None


def clean_serial(value: str) -> str:
    number = compact(value)
    if not number:
        raise Invalid(_("Enter the serial number of your Carte Vitale."))
    if not (number.isascii() and number.isdigit()) or len(number) not in SERIAL_LENGTHS:
        raise Invalid(
            _("The serial number of a Carte Vitale has 8 to 12 digits, like 802500002.")
        )
    return number
