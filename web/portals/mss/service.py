"""Identity verification for mss registration (SPEC §1, §2 step 4).

The identity fields must match the registry (one generic answer whatever the mismatch), then
the member answers two security questions drawn from the registry facts. Answers are free text
with suggestions (recognition, not recall) compared leniently. Failures count against the member
and the client address: 3 of them lock verification for 30 minutes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from types import MappingProxyType

from babel import Locale

from web.db import in_dialect
from web.i18n import LANGUAGES, current_language, lazy_gettext
from web.registry.matching import find_member, normalize_email, normalize_identifier, normalize_name
from web.registry.models import Member
from web.security import limits
from web.security.audit import audit, audit_event, record
from web.security.digests import digest, keyed_digest

PORTAL = "mss"
FACTS = ("employer", "duty_country", "entry_year")
QUESTIONS = 2
SUGGESTIONS = 24  # a guess among them: 1 in 24; 6 failures a day reach the ceiling

QUESTION_TEXTS = {
    "employer": lazy_gettext("What is the name of your current employing organisation?"),
    "duty_country": lazy_gettext("In which country is your current duty station?"),
    "entry_year": lazy_gettext("In which year did you join the Fund?"),
}

WINDOW = 100  # registry records read for decoys, whatever the size of the registry
_FACTS = Member._meta.fields_map["facts"]
# Employers shown around the right one when the registry has too few others (all fictional).
ORGANISATIONS = (
    "Agence bleue des océans",
    "Andean Development Partnership",
    "Borealis Climate Office",
    "Caribbean Resilience Office",
    "Cedar Housing Bureau",
    "Centre Delta pour le commerce",
    "Coastal Fisheries Council",
    "Global Health Office",
    "Helix Labour Office",
    "Institut Atlas des sols",
    "Institut du Grand Nord pour la santé",
    "Kestrel Food Programme",
    "Lumen Education Trust",
    "Meridian Health Alliance",
    "Northwind Aviation Board",
    "Observatoire sahélien de l'eau",
    "Office des forêts tropicales",
    "Orion Telecommunication Bureau",
    "Pacific Disaster Relief Office",
    "Programme Horizon pour l'enfance",
    "Quartz Industrial Development Agency",
    "Sirius Maritime Organisation",
    "Solstice Refugee Assistance Agency",
    "Union des postes Vega",
)
# Babel territories that are not countries a duty station can be in.
NOT_COUNTRIES = frozenset("AC CP DG EA EU EZ IC QO TA UN XA XB ZZ".split())
# Territories with hardly anyone living there: no decoy there (a registry answer stays one).
REMOTE_TERRITORIES = frozenset("AQ BV CC CQ CX GS HM IO NF PN SJ TF TK UM".split())
ADULT_AGE = 16  # no one joins the Fund younger


class Mismatch(Exception):
    """The identity fields do not match the registry (never says which); ``locked``: the
    lockout this failure set, if it locked verification."""

    def __init__(self, locked: limits.Locked | None = None) -> None:
        super().__init__(locked)
        self.locked = locked


class CannotVerify(Exception):
    """The member's record lacks the facts to ask about: only support can help."""

    def __init__(self, member: Member) -> None:
        super().__init__(member.pk)
        self.member = member


@dataclass(frozen=True)
class Identity:
    uid: str
    first_names: str
    last_name: str
    birth_date: date
    email: str

    @property
    def fingerprint(self) -> str:
        """Ties a verification to exactly these identity fields."""
        parts = (
            normalize_identifier(self.uid),
            normalize_name(self.first_names),
            normalize_name(self.last_name),
            self.birth_date.isoformat(),
            normalize_email(self.email),
        )
        return digest("\x1f".join(parts))


def countries(language: str | None = None) -> Mapping[str, str]:
    """Country code → its name in ``language`` (the request's by default)."""
    return _countries(language or current_language.get())


@cache  # one per language: gathering babel's territory names costs ~1 ms a call
def _countries(language: str) -> Mapping[str, str]:
    names = Locale.parse(language).territories
    return MappingProxyType({
        code: name
        for code, name in names.items()
        if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
    })


def question_facts(member: Member) -> list[str]:
    facts = member.facts or {}
    return [fact for fact in FACTS if str(facts.get(fact, "")).strip()][:QUESTIONS]


def question_text(fact: str) -> str:
    return str(QUESTION_TEXTS[fact])


def shown_value(fact: str, value) -> str:
    """A registry fact as the member reads it (a country code becomes its localized name)."""
    if fact == "duty_country":
        return countries().get(str(value).upper(), str(value))
    return str(value)


def answer_key(fact: str, value) -> str:
    """What makes two values of a fact the same answer (two spellings show once)."""
    return str(value).strip().upper() if fact == "duty_country" else normalize_name(str(value))


_WINDOW_PART = (
    "SELECT * FROM (SELECT facts, id, {part} AS part FROM member WHERE portal = ? AND {ids} "
    "ORDER BY id LIMIT ?) AS part_{part}"
)
_WINDOW_SQL = (
    "SELECT facts FROM ("  # noqa: S608 - placeholders only
    + " UNION ALL ".join(_WINDOW_PART.format(part=n, ids=ids)
                         for n, ids in enumerate(("id >= ? AND id < ?", "id < ?", "id > ?")))
    + ") AS decoys ORDER BY part, id LIMIT ?"
)


async def registry_values(member: Member, fact: str, seed: int) -> list[str]:
    """This fact as other members of the portal have it, from at most ``WINDOW`` records:
    those that follow a point chosen by the keyed seed among the members imported before this
    one, then the first ones after it. Once the window is full, records imported later never
    enter it: the decoys stay the same as the registry grows. One statement."""
    start, portal = seed % member.id, member.portal
    connection = Member._meta.db
    rows = await connection.execute_query_dict(
        in_dialect(connection, _WINDOW_SQL),
        [portal, start, member.id, WINDOW, portal, start, WINDOW, portal, member.id, WINDOW,
         WINDOW],
    )
    facts = (_FACTS.to_python_value(row["facts"]) for row in rows)
    values = (str(found.get(fact, "")).strip() for found in facts if isinstance(found, dict))
    return [value for value in values if value]


def fallback_values(fact: str) -> list[str]:
    if fact == "employer":
        return list(ORGANISATIONS)
    return [code for code in countries() if code not in REMOTE_TERRITORIES]


def entry_years(member: Member, answer: str) -> list[str]:
    """From the year the member turned 16 to this year (and the answer, whatever it is)."""
    first, last = member.birth_date.year + ADULT_AGE, date.today().year
    if answer.isdigit():
        first, last = min(first, int(answer)), max(last, int(answer))
    return [str(year) for year in range(first, last + 1)]


def pick_decoys(fact: str, answer: str, preferred, fallback, rank) -> list[str]:
    """``SUGGESTIONS - 1`` values other than the answer, each once: from ``preferred`` first,
    each pool taken in the order of the keyed ``rank`` of its values. A value that joins a pool
    (a member imported, a new year) changes at most one decoy: the lists seen on two retries
    differ by one value at most, so comparing them does not single out the answer."""
    seen = {answer_key(fact, answer)}
    chosen = []
    for values in (preferred, fallback):
        pool = {}
        for value in values:
            key = answer_key(fact, value)
            if key not in seen:
                seen.add(key)
                pool[key] = value
        ranked = sorted(pool, key=rank)[: SUGGESTIONS - 1 - len(chosen)]
        chosen += [pool[key] for key in ranked]
    return chosen


async def suggestions(member: Member, fact: str, secret_key: str) -> list[str]:
    """The suggestions as the member reads them (see ``suggestion_values``)."""
    return shown_suggestions(fact, await suggestion_values(member, fact, secret_key))


def shown_suggestions(fact: str, values: list[str]) -> list[str]:
    """Registry values (country codes…) in the current language, in alphabetical order."""
    return sorted((shown_value(fact, value) for value in values), key=str.casefold)


async def suggestion_values(member: Member, fact: str, secret_key: str) -> list[str]:
    """The right answer among decoys taken from other members' records of the portal (so
    the answer looks like them), topped up from a fixed list in a small registry, as registry
    values (codes for countries: named in the language of each page). The same list every
    time for this member (a keyed rank), so neither retries nor recomputing the list for each
    candidate can single out the answer: a guesser can only try the suggestions one by one,
    and the member's ceiling (6 failures a day, ``limits.VERIFICATION_MEMBER``) stops that
    long before a list of 24 is worked through."""
    answer = str(member.facts[fact]).strip()
    if fact == "duty_country":
        answer = answer.upper()
    seed = keyed_digest(secret_key, f"suggestions:{member.portal}:{member.identifier}:{fact}")

    def rank(key: str) -> str:
        return keyed_digest(seed, key)

    if fact == "entry_year":
        decoys = pick_decoys(fact, answer, entry_years(member, answer), (), rank)
    else:
        known = await registry_values(member, fact, int(seed, 16))
        if fact == "duty_country":
            names = countries()
            known = [code.upper() for code in known if code.upper() in names]
        decoys = pick_decoys(fact, answer, known, fallback_values(fact), rank)
    return [*decoys, answer]


def answer_matches(member: Member, fact: str, answer: str) -> bool:
    """Lenient: case, accents, spaces, hyphens and apostrophes do not matter; a country may be
    named in any of our languages or by its code."""
    expected = str((member.facts or {}).get(fact, "")).strip()
    given = normalize_name(answer)
    if not expected or not given:
        return False
    if fact == "duty_country":
        code = expected.upper()
        accepted = {normalize_name(countries(lang).get(code, "")) for lang in LANGUAGES}
        return given in accepted | {code.casefold()}
    return given == normalize_name(expected)


def verification_keys(uid: str, client: str) -> tuple[str, str]:
    return limits.verification_keys(PORTAL, normalize_identifier(uid), client)


def verification_rules(uid: str, client: str) -> dict[str, limits.Rule]:
    return limits.verification_rules(PORTAL, normalize_identifier(uid), client)


async def claim(uid: str, client: str) -> limits.Check:
    """One verification attempt for this UID and client, in the caller's transaction
    (``limits.check``): raises ``limits.Locked`` while either is locked."""
    return await limits.check(verification_rules(uid, client))


async def failed(uid: str, client: str, reason: str, attempt: limits.Check) -> None:
    """Count a failed attempt; raises ``limits.Locked`` when it locked verification."""
    failure = audit_event("verification_failed", portal=PORTAL, subject=uid, client=client,
                          reason=reason)
    locked = await attempt.failed()
    if not locked:
        await record(failure)
        return
    await record(failure, audit_event("verification_locked", portal=PORTAL, subject=uid,
                                      client=client, ceiling=locked.ceiling))
    raise locked


async def match_identity(identity: Identity, client: str) -> Member:
    """The member these fields designate, or ``Mismatch`` (counted as a failure). Runs in the
    caller's transaction; a known member or not, the same statements."""
    attempt = await claim(identity.uid, client)
    member = await find_member(
        PORTAL,
        identity.uid,
        last_name=identity.last_name,
        first_names=identity.first_names,
        birth_date=identity.birth_date,
        email=identity.email,
    )
    if member is None or not normalize_email(member.email):
        try:
            await failed(identity.uid, client, "identity", attempt)
        except limits.Locked as locked:
            raise Mismatch(locked) from None
        raise Mismatch()
    await attempt.passed()
    if len(question_facts(member)) < QUESTIONS:
        raise CannotVerify(member)
    return member


@dataclass(frozen=True)
class Answered:
    right: bool
    attempts_left: int  # failures in a row before verification locks
    attempt: limits.Check


async def check_answer(member: Member, fact: str, answer: str, client: str) -> Answered:
    """Whether the answer is right; a wrong one counts (and may raise ``limits.Locked``).
    Runs in the caller's transaction."""
    attempt = await claim(member.identifier, client)
    right = answer_matches(member, fact, answer)
    if right:
        await attempt.passed()
    else:
        await failed(member.identifier, client, fact, attempt)
    return Answered(right, attempt.attempts_before_lock, attempt)


async def passed(member: Member, client: str, answered: Answered) -> None:
    """Both answers right: the member's failure count starts again."""
    await answered.attempt.passed(verification_keys(member.identifier, client)[0])
    await audit("verification_passed", portal=PORTAL, subject=member.identifier, client=client)
