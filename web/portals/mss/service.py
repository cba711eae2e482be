"""Identity verification for mss registration (SPEC §1, §2 step 4).

The identity fields must match the registry (one generic answer whatever the mismatch), then
the member answers two security questions drawn from the registry facts. Answers are free text
with suggestions (recognition, not recall) compared leniently. Failures count against the member
and the client address: 3 of them lock verification for 30 minutes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime

from babel import Locale

from web.i18n import LANGUAGES, current_language, lazy_gettext
from web.registry.matching import find_member, normalize_email, normalize_identifier, normalize_name
from web.registry.models import Member
from web.security import limits
from web.security.audit import audit
from web.security.tokens import digest, keyed_digest

PORTAL = "mss"
FACTS = ("employer", "duty_country", "entry_year")
QUESTIONS = 2
SUGGESTIONS = 12

QUESTION_TEXTS = {
    "employer": lazy_gettext("What is the name of your current employing organisation?"),
    "duty_country": lazy_gettext("In which country is your current duty station?"),
    "entry_year": lazy_gettext("In which year did you join the Fund?"),
}

# Plausible employers shown around the right one, all fictional. Keep the registry's employers
# in this list: an answer that is not in it would stand out among the suggestions.
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
FIRST_ENTRY_YEAR = 1950


class Mismatch(Exception):
    """The identity fields do not match the registry (never says which); ``until``: the end
    of the lockout when this failure locked verification."""

    def __init__(self, until: datetime | None = None) -> None:
        super().__init__(until)
        self.until = until


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


def countries(language: str | None = None) -> dict[str, str]:
    names = Locale.parse(language or current_language.get()).territories
    return {
        code: name
        for code, name in names.items()
        if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
    }


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


def _universe(fact: str, answer: str) -> list[str]:
    if fact == "employer":
        return sorted({*ORGANISATIONS, answer})
    if fact == "duty_country":
        return list(countries())
    return [str(year) for year in range(FIRST_ENTRY_YEAR, date.today().year + 1)]


def suggestions(member: Member, fact: str, secret_key: str) -> list[str]:
    """The right answer among decoys: the same list every time for this member (a keyed seed,
    so the list cannot be recomputed for each candidate to single out the answer)."""
    answer = str(member.facts[fact]).strip()
    if fact == "duty_country":
        answer = answer.upper()
    others = [value for value in _universe(fact, answer) if value != answer]
    seed = keyed_digest(secret_key, f"suggestions:{member.portal}:{member.identifier}:{fact}")
    rng = random.Random(seed)  # noqa: S311 - a stable shuffle: the keyed seed is the secret
    chosen = rng.sample(others, min(SUGGESTIONS - 1, len(others)))
    return sorted((shown_value(fact, value) for value in [*chosen, answer]), key=str.casefold)


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
    return dict.fromkeys(verification_keys(uid, client), limits.VERIFICATION)


async def admit(uid: str, client: str) -> datetime | None:
    """Let one verification attempt through for this UID and client (``limits.admit``): raises
    ``limits.Locked`` while either is locked; returns the lockout end should it fail."""
    return await limits.admit(verification_rules(uid, client))


async def failed(uid: str, client: str, reason: str, until: datetime | None) -> None:
    await audit("verification_failed", portal=PORTAL, subject=uid, client=client, reason=reason)
    if until:
        await audit("verification_locked", portal=PORTAL, subject=uid, client=client)


async def attempts_left(uid: str, client: str) -> int:
    counts = [await limits.failures(key) for key in verification_keys(uid, client)]
    return max(0, limits.VERIFICATION.limit - max(counts))


async def match_identity(identity: Identity, client: str) -> Member:
    """The member these fields designate, or ``Mismatch`` (counted as a failure)."""
    until = await admit(identity.uid, client)
    member = await find_member(
        PORTAL,
        identity.uid,
        last_name=identity.last_name,
        first_names=identity.first_names,
        birth_date=identity.birth_date,
        email=identity.email,
    )
    if member is None or not normalize_email(member.email):
        await failed(identity.uid, client, "identity", until)
        raise Mismatch(until)
    await limits.refund(verification_rules(identity.uid, client))
    if len(question_facts(member)) < QUESTIONS:
        raise CannotVerify(member)
    return member


async def check_answer(member: Member, fact: str, answer: str, client: str) -> bool:
    """Whether the answer is right; a wrong one counts (and may raise ``limits.Locked``)."""
    until = await admit(member.identifier, client)
    if answer_matches(member, fact, answer):
        await limits.refund(verification_rules(member.identifier, client))
        return True
    await failed(member.identifier, client, fact, until)
    if until:
        raise limits.Locked(until)
    return False


async def passed(member: Member, client: str) -> None:
    """Both answers right: the member's failure count starts again."""
    await limits.clear(verification_keys(member.identifier, client)[0])
    await audit("verification_passed", portal=PORTAL, subject=member.identifier, client=client)
