"""The mss registration as typed state: the draft and what it says (no request in here).

The draft keeps the form as typed, the identity verification made for it (with the security
questions still to answer), the accepted policy, then the registration made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from web.clock import now
from web.forms import FormData
from web.portals.mss import service
from web.portals.mss.forms import ANSWER_MAX, RegistrationForm

FIELDS = (
    "uid",
    "first_names",
    "last_name",
    "birth_day",
    "birth_month",
    "birth_year",
    "email",
    "email_confirm",
)
FIELD_MAX = 254  # what a draft keeps of a field: the form refuses longer values anyway


@dataclass
class Verification:
    """The verification of one identity (``fingerprint``): the member it matched, the facts
    asked about and how many were answered, or why it cannot go on (``outcome``)."""

    fingerprint: str
    member: int
    facts: list[str]
    step: int = 0
    outcome: str | None = None  # "cannot": the member cannot be verified online
    choices: list[str] = field(default_factory=list)  # the suggestions of the question asked
    answer: str = ""  # the answer typed, not yet checked

    @property
    def verified(self) -> bool:
        return not self.outcome and self.step >= len(self.facts)

    @property
    def asks_question(self) -> bool:
        """A question is waiting for its answer (none after an outcome, nor once verified)."""
        return not self.outcome and self.step < len(self.facts)

    @property
    def fact(self) -> str:
        return self.facts[self.step]


@dataclass
class Policy:
    version: str
    accepted_at: datetime


@dataclass
class Registered:
    account: int
    fingerprint: str
    at: datetime
    email: str
    already: bool  # the member had an account: told by mail, shown the same page


@dataclass
class Draft:
    VERSION: ClassVar[int] = 1

    version: int = VERSION
    started: datetime = field(default_factory=now)
    fields: dict[str, str] = field(default_factory=dict)
    verification: Verification | None = None
    policy: Policy | None = None
    registered: Registered | None = None
    new_email: dict[str, str] | None = None  # the change-email form as typed

    @staticmethod
    def migrate(data: dict, version: int) -> dict | None:
        """Version 0 (untyped, before 2026-12): the same keys; a verification saved before
        the suggestions were kept is dropped (the visitor selects Verify again)."""
        if version != 0:
            return None
        data["version"] = Draft.VERSION
        verification = data.get("verification")
        if isinstance(verification, dict) and "choices" not in verification:
            data.pop("verification")
        return data


def keep_typed(draft: Draft, data: FormData) -> None:
    """The POSTed registration form, as typed (bounded), before any validation."""
    draft.fields = {name: (data.get(name) or "")[:FIELD_MAX] for name in FIELDS}
    if draft.verification and "answer" in data:  # the page shows a question
        draft.verification.answer = typed_answer(data)


def typed_answer(data: FormData) -> str:
    return (data.get("answer") or "")[:ANSWER_MAX]


def form_of(draft: Draft) -> RegistrationForm:
    return RegistrationForm(FormData(draft.fields))


def identity_of(form: RegistrationForm) -> service.Identity | None:
    born = form.birth_date
    if born is None or not all(
        (form.uid.data, form.first_names.data, form.last_name.data, form.email.data)
    ):
        return None
    return service.Identity(
        form.uid_value, form.first_names.data, form.last_name.data, born, form.email.data
    )


def verification_of(draft: Draft, form: RegistrationForm) -> Verification | None:
    """The draft's verification, if it was made for exactly the identity now in the form."""
    verification = draft.verification
    identity = identity_of(form)
    if verification and identity and verification.fingerprint == identity.fingerprint:
        return verification
    return None


def is_verified(verification: Verification | None) -> bool:
    return bool(verification) and verification.verified


def asks_question(verification: Verification | None) -> bool:
    return bool(verification) and verification.asks_question


def policy_accepted(draft: Draft, policy_version: str) -> bool:
    return bool(draft.policy) and draft.policy.version == policy_version


def registered_again(draft: Draft, form: RegistrationForm) -> bool:
    """The registration of this very identity was made already (the form sent twice)."""
    identity = identity_of(form)
    return bool(draft.registered and identity) and (
        draft.registered.fingerprint == identity.fingerprint
    )
