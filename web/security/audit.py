"""The audit log: what happened, never a password, a token or a full identifier."""

from __future__ import annotations

from web.logs import current_request
from web.metrics import count_event
from web.security.digests import keyed_digest
from web.security.models import AuditEvent

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
    """Record one event, with the id of the request it happened in (its log lines have it
    too), and count it in the metrics (``espace_audit_events_total``)."""
    request = current_request.get()
    recorded = await AuditEvent.create(
        event=event,
        portal=portal,
        subject=pseudonym(subject),
        client=pseudonym(client),
        request_id=request.id if request else "",
        detail=detail,
    )
    count_event(event, portal)
    return recorded
