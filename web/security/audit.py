"""The audit log: what happened, never a password, a token or a full identifier."""

from __future__ import annotations

from web.security.models import AuditEvent
from web.security.tokens import keyed_digest

_secret_key = ""


def configure(secret_key: str) -> None:
    global _secret_key
    _secret_key = secret_key


def pseudonym(value: str) -> str:
    """A keyed hash that links events about one subject without revealing it."""
    return keyed_digest(_secret_key, value)[:32] if value else ""


async def audit(
    event: str, *, portal: str = "", subject: str = "", client: str = "", **detail
) -> AuditEvent:
    return await AuditEvent.create(
        event=event,
        portal=portal,
        subject=pseudonym(subject),
        client=pseudonym(client),
        detail=detail,
    )
