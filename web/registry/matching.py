"""Matching what a visitor typed against the registry (SPEC §1).

Names compare case-, accent-, space-, hyphen- and apostrophe-insensitively (Ł, Æ, Œ… as
the Latin letters they are typed as); emails by ``normalize_email`` (ASCII case and the
domain's IDNA form only); identifiers after removing spaces.
"""

from __future__ import annotations

import string
import unicodedata
from datetime import date

from email_validator import EmailNotValidError, validate_email
from tortoise.expressions import Q
from tortoise.functions import Count

from web.registry.models import Member

_IDENTIFIER_MAX = Member._meta.fields_map["identifier"].max_length
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
# Apostrophes, and every dash people (or their word processor) put in a compound name.
NAME_PUNCTUATION = frozenset(" .\u00a0'\u2019\u2018\u02bc-\u2010\u2011\u2012\u2013\u2014\u2212")
# Lowercase letters with no decomposition into a base letter and an accent, as they are
# written on a keyboard without them (ß is already "ss" once casefolded).
_TRANSLITERATION = str.maketrans(
    {"æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ħ": "h"}
)


def ascii_digits(value: str) -> str:
    """Any script's decimal digits as 0-9 (full-width, Arabic-Indic…: the same number)."""
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in value)


def normalize_name(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value or "").casefold()
    kept = (
        c
        for c in decomposed
        if not unicodedata.combining(c) and c not in NAME_PUNCTUATION and not c.isspace()
    )
    return "".join(kept).translate(_TRANSLITERATION)


def looks_like_a_name(value: str) -> bool:
    """Letters of any script (with their marks), and the punctuation of compound names."""
    letters = [c for c in value if c not in NAME_PUNCTUATION]
    return bool(letters) and all(unicodedata.category(c)[0] in "LM" for c in letters)


def normalize_identifier(value: str) -> str:
    return "".join((value or "").split()).upper()


def ascii_lower(value: str) -> str:
    return value.translate(_ASCII_LOWER)


def normalize_email(value: str) -> str:
    """The one form addresses are compared in: the domain IDNA-encoded (what DNS resolves) and
    lowercased, the local part with only its ASCII letters lowercased. Never casefolded: ß is
    not ss, and a look-alike letter (Cyrillic а) or domain is another mailbox. A value that is
    not an address is only stripped and ASCII-lowercased, so it matches nothing else."""
    value = (value or "").strip()
    try:
        address = validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return ascii_lower(value)
    return f"{ascii_lower(address.local_part)}@{ascii_lower(address.ascii_domain)}"


def same_name(a: str, b: str) -> bool:
    return bool(normalize_name(a)) and normalize_name(a) == normalize_name(b)


async def read_member(portal: str, identifier: str, *, accounts: bool = False) -> Member | None:
    """The record of this identifier, or None; ``accounts``: with ``member.accounts_here``,
    how many accounts it has on the portal, read in the same query."""
    identifier = normalize_identifier(identifier)
    if not identifier.isprintable() or not 0 < len(identifier) <= _IDENTIFIER_MAX:
        return None  # no record has it, and the database would refuse it (length, NUL)
    query = Member.filter(portal=portal, identifier=identifier)
    if accounts:
        here = Count("accounts", _filter=Q(accounts__portal=portal))
        query = query.annotate(accounts_here=here).group_by("id")
    return await query.first()


async def find_member(
    portal: str,
    identifier: str,
    *,
    last_name: str,
    first_names: str,
    birth_date: date | None,
    email: str | None = None,
    accounts: bool = False,
) -> Member | None:
    """The member whose record matches every given field, or None (never says which field);
    ``accounts``: see ``read_member``."""
    member = await read_member(portal, identifier, accounts=accounts)
    if member is None:
        return None
    matches = (
        same_name(last_name, member.last_name)
        and (
            same_name(first_names, member.first_names)
            # a company (SIRET) has no first names: none typed matches none recorded
            or not normalize_name(member.first_names)
            and not normalize_name(first_names)
        )
        and birth_date == member.birth_date
        and (email is None or normalize_email(email) == normalize_email(member.email))
    )
    return member if matches else None
