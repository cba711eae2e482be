"""The registration wizard as a state machine over the typed draft (no request in here).

Steps: profile → identifier → contact → verification → password → policy (the general terms
of use), then "done".
A step is complete when the draft's values for it validate (and, for the verification, when
the identity verified is still the one in the draft), so nothing is stored twice and editing
an earlier answer re-opens what depends on it.

The verification is a chain of questions: health affiliation → card kind → serial number, or
another fact → IBAN / postal delivery ("I cannot give any of these"). Companies start at
"another fact". Each question is a page of its own without JS; with htmx the next question is
added under the answered one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from web.clock import now
from web.forms import FormData
from web.portals.espace_prive import checks
from web.portals.espace_prive.forms import (
    COMPANY,
    OTHER,
    CompanyContactForm,
    ContactForm,
    IdentifierForm,
    ProfileForm,
    VerificationForm,
)
from web.registry.matching import normalize_name
from web.security.digests import digest

STEPS = ("profile", "identifier", "contact", "verification", "password", "policy")
TOTAL = len(STEPS)
# The draft keys each step's form reads (saved as typed on every POST, even unvalidated).
STEP_FIELDS = {
    "profile": ("profile",),
    "identifier": ("identifier",),
    "contact": ("last_name", "first_names", "birth_day", "birth_month", "birth_year", "email",
                "mobile"),
    "verification": ("health", "card_kind", "serial", "other", "iban"),
}
QUESTIONS = ("health", "card", "serial", "other", "iban", "postal")
# How the identity was proven, by the last question of the chain.
METHODS = {"serial": "vitale", "iban": "iban", "postal": "postal"}
MAX_STORED = 1000  # characters kept of a value saved unvalidated


@dataclass
class Verified:
    """The identity verified, and how: it holds while ``fingerprint`` is the draft's."""

    member: int
    method: str  # "vitale", "iban" or "postal"
    fingerprint: str
    registry_email: bool  # the address typed is the one the registry holds for the member


@dataclass
class EmailCode:
    """The code last mailed to prove ``email`` (kept as a keyed digest only)."""

    email: str
    nonce: str
    expires_at: datetime
    digest: str = ""


@dataclass
class Finished:
    delivery: str  # "email" or "postal"
    email: str


@dataclass
class Draft:
    VERSION: ClassVar[int] = 2

    version: int = VERSION
    started: datetime = field(default_factory=now)
    fields: dict[str, str] = field(default_factory=dict)  # as typed, by form field
    verified: Verified | None = None
    email_code: EmailCode | None = None
    email_proof: str = ""  # the address a code proved
    password_seen: bool = False
    finished: Finished | None = None  # registered: nothing personal is kept but the email
    already: bool = False  # a fact proved a member who has an account

    @staticmethod
    def migrate(data: dict, version: int) -> dict | None:
        """Version 1 kept the fields as ``answers``; version 0 (untyped, before 2026-12) as
        top-level keys."""
        if version == 1:
            data["fields"] = data.pop("answers", {})
        elif version == 0:
            typed = {name for names in STEP_FIELDS.values() for name in names}
            fields = {k: v for k, v in data.items() if k in typed and isinstance(v, str)}
            data = {k: v for k, v in data.items() if k not in typed}
            data["email_proof"] = data.get("email_proof") or ""
            data["fields"] = fields
        else:
            return None
        data["version"] = Draft.VERSION
        return data


def number(step: str) -> int:
    return STEPS.index(step) + 1


def next_step(step: str) -> str | None:
    index = STEPS.index(step)
    return STEPS[index + 1] if index + 1 < TOTAL else None


def is_company(draft: Draft) -> bool:
    return draft.fields.get("profile") == COMPANY


def keep_typed(draft: Draft, form: FormData, names) -> None:
    """Keep the values of ``names`` present in the form, as typed."""
    for name in names:
        if values := form.getlist(name):  # one walk through the form, not two
            draft.fields[name] = values[0][:MAX_STORED]


# -- step forms from the draft ----------------------------------------------------------------


def profile_form(draft: Draft, formdata=None) -> ProfileForm:
    return ProfileForm(formdata or FormData(_pick(draft, "profile")))


def profile_of(draft: Draft, formdata=None) -> str | None:
    """The profile chosen (by ``formdata``, else by the draft) when the profile form
    validates it, else None."""
    return ProfileForm.chosen(formdata or FormData(_pick(draft, "profile")))


def identifier_form(draft: Draft, formdata=None) -> IdentifierForm:
    return IdentifierForm(
        formdata or FormData(_pick(draft, "identifier")), company=is_company(draft)
    )


def contact_form(draft: Draft, formdata=None) -> ContactForm:
    form_class = CompanyContactForm if is_company(draft) else ContactForm
    return form_class(formdata or FormData(_pick(draft, "contact")), nir=nir_of(draft))


def verification_form(draft: Draft, formdata=None) -> VerificationForm:
    return VerificationForm(formdata or FormData(_pick(draft, "verification")))


def typed_in(draft: Draft, step: str) -> bool:
    """Whether the draft holds a value of one of ``step``'s fields."""
    return any(name in draft.fields for name in STEP_FIELDS.get(step, ()))


def _pick(draft: Draft, step: str) -> dict:
    return {k: draft.fields[k] for k in STEP_FIELDS[step] if k in draft.fields}


def identifier_of(draft: Draft) -> str | None:
    """The valid identifier (NIR or SIRET) of the draft, or None."""
    if draft.fields.get("profile") in (None, OTHER):
        return None
    try:
        return identifier_form(draft).value
    except checks.Invalid:
        return None


def nir_of(draft: Draft) -> str | None:
    return None if is_company(draft) else identifier_of(draft)


def contact_of(draft: Draft) -> dict | None:
    """The normalised contact details of the draft, or None while they do not validate."""
    form = contact_form(draft)
    return form.cleaned() if form.validate() else None


# -- completeness -----------------------------------------------------------------------------


def fingerprint(draft: Draft) -> str:
    """What the verification proved, as a digest: changing any of it re-opens verification.
    The email and mobile are in it: who changes them after the verification verifies again."""
    contact = contact_of(draft) or {}
    parts = [
        draft.fields.get("profile") or "",
        identifier_of(draft) or "",
        normalize_name(contact.get("last_name", "")),
        normalize_name(contact.get("first_names", "")),
        str(contact.get("birth_date", "")),
        contact.get("email", ""),
        contact.get("mobile", ""),
    ]
    return digest("\x1f".join(parts))


def verified(draft: Draft) -> Verified | None:
    """The verification result, while it still applies to the draft's identity."""
    result = draft.verified
    if result is not None and result.fingerprint == fingerprint(draft):
        return result
    return None


def typed_email(draft: Draft) -> str:
    return (contact_of(draft) or {}).get("email", "")


def email_needs_proof(draft: Draft) -> bool:
    """Whether the password is to be mailed to an address the registry does not hold for the
    member: it must be proved first (``email_proof``)."""
    result = verified(draft)
    return bool(result) and result.method != "postal" and not result.registry_email


def email_proved(draft: Draft) -> bool:
    email = typed_email(draft)
    return bool(email) and draft.email_proof == email


def complete(step: str, draft: Draft) -> bool:
    if step == "profile":
        return profile_of(draft) not in (None, OTHER)
    if step == "identifier":
        return identifier_of(draft) is not None
    if step == "contact":
        return contact_of(draft) is not None
    if step == "verification":
        return verified(draft) is not None
    if step == "password":
        ready = not email_needs_proof(draft) or email_proved(draft)
        return draft.password_seen and ready
    return False


def first_incomplete(draft: Draft, before: str | None = None) -> str | None:
    """The first step (before ``before``, when given) whose answers are missing or invalid."""
    for step in STEPS:
        if step == before:
            return None
        if not complete(step, draft):
            return step
    return None


# -- the verification's chain of questions ----------------------------------------------------


def root_question(draft: Draft) -> str:
    return "other" if is_company(draft) else "health"


def following(question: str, fields: dict) -> str | None:
    """The question asked after ``question`` given the draft's fields, or None at the end."""
    if question == "health":
        return {"yes": "card", "no": "other"}.get(fields.get("health"))
    if question == "card":
        return "serial" if fields.get("card_kind") in ("photo", "no_photo") else None
    if question == "other":
        return {"iban": "iban", "none": "postal"}.get(fields.get("other"))
    return None


def chain(start: str, fields: dict) -> list[str]:
    """``start`` and each following question already reached by the draft's fields."""
    questions = [start]
    while (upcoming := following(questions[-1], fields)) is not None:
        questions.append(upcoming)
    return questions


def previous_question(question: str, draft: Draft) -> str | None:
    """The page before this question's page (None: the previous wizard step)."""
    if question == root_question(draft):
        return None
    if question == "other":
        return "serial" if draft.fields.get("health") == "yes" else "health"
    return {"card": "health", "serial": "card", "iban": "other", "postal": "other"}.get(question)


def reachable(question: str, draft: Draft) -> bool:
    """Whether the answers so far lead to this question (an individual may go from the serial
    number to "another piece of information" when the number cannot be read)."""
    if question not in QUESTIONS:
        return False
    root = root_question(draft)
    reached = set(chain(root, draft.fields))
    if root == "health" and "serial" in reached:
        reached.update(chain("other", draft.fields))
    return question in reached


def answer_fields(questions) -> list[str]:
    """The draft keys the questions' answers go to."""
    return [VerificationForm.FIELDS[q] for q in questions if q in VerificationForm.FIELDS]


def method_after(questions: list[str]) -> str | None:
    """How identity is proven when the chain shown ends with these questions."""
    return METHODS.get(questions[-1]) if questions else None
