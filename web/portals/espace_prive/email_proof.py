"""The proof that a typed email address is the member's: a 6-digit code mailed to it and typed
back on the "Receive your password" step, before any password is sent there. The address the
registry holds for the member needs none (see ``wizard.email_needs_proof``).

The code is kept only as a keyed digest, in the draft, for 30 minutes. Each code takes 5 wrong
tries (counted with ``limits``: tries sent together never check more than that), and one
member gets 10 codes a day, whoever asks for them.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from web.clock import now
from web.mail.outbox import enqueue_mail
from web.portals.espace_prive import wizard
from web.portals.espace_prive.wizard import Draft, EmailCode
from web.security import limits
from web.security.digests import keyed_digest

DIGITS = 6
LIFETIME = timedelta(minutes=30)
CODES_PER_MEMBER = limits.Rule(
    limit=10, window=timedelta(days=1), lockout=timedelta(days=1), ceiling=10
)
TRIES_PER_CODE = limits.Rule(limit=5, window=LIFETIME, lockout=LIFETIME, ceiling=5)
RIGHT, WRONG, SPENT = "right", "wrong", "spent"


def _digest(secret_key: str, sent: EmailCode, code: str) -> str:
    return keyed_digest(secret_key, f"email-code:{sent.nonce}:{sent.email}:{code}")


def live_code(draft: Draft) -> EmailCode | None:
    """The code last sent, while it can still prove the address now in the draft."""
    sent = draft.email_code
    if sent and sent.email == wizard.typed_email(draft) and sent.expires_at > now():
        return sent
    return None


async def send_code(portal, draft: Draft, *, secret_key: str, language: str) -> None:
    """Mail a new code to the draft's address (the previous one stops working), kept in the
    draft (the caller saves it). Raises ``limits.Locked`` when the member had 10 today."""
    await limits.take({f"email-code:{portal.id}:{draft.verified.member}": CODES_PER_MEMBER})
    code = f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}"
    sent = EmailCode(wizard.typed_email(draft), secrets.token_hex(16), now() + LIFETIME)
    sent.digest = _digest(secret_key, sent, code)
    draft.email_code = sent
    minutes = int(LIFETIME.total_seconds() // 60)
    await enqueue_mail(sent.email, "email_code", language=language,
                       context={"portal": portal, "minutes": minutes}, secret={"code": code})


async def check_code(draft: Draft, code: str, *, secret_key: str) -> str:
    """RIGHT (the draft now holds the proof), WRONG (counted), or SPENT: no code can prove the
    address any more (none sent, expired, or its 5 tries used): a new one is needed."""
    sent = live_code(draft)
    if sent is None:
        return SPENT
    try:
        attempt = await limits.admit({f"email-code-try:{sent.nonce}": TRIES_PER_CODE})
    except limits.Locked:
        draft.email_code = None
        return SPENT
    if secrets.compare_digest(_digest(secret_key, sent, code), sent.digest):
        await attempt.refund()
        draft.email_code = None
        draft.email_proof = sent.email
        return RIGHT
    if await attempt.count():
        draft.email_code = None
        return SPENT
    return WRONG
