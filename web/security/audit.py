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


def audit_event(
    name: str, *, portal: str = "", subject: str = "", client: str = "", **detail
) -> AuditEvent:
    """One event, not yet recorded, with the id of the request it happened in (its log lines
    have it too)."""
    request = current_request.get()
    return AuditEvent(
        event=name,
        portal=portal,
        subject=pseudonym(subject),
        client=pseudonym(client),
        request_id=request.id if request else "",
        detail=detail,
    )


async def record(*events: AuditEvent) -> None:
    """Record events that happened together in one statement, and count each in the metrics
    (``espace_audit_events_total``)."""
    await AuditEvent.bulk_create(events)
    for recorded in events:
        count_event(recorded.event, recorded.portal)


async def audit(name: str, **fields) -> AuditEvent:
    """Record one event (``audit_event`` then ``record``)."""
    recorded = audit_event(name, **fields)
    await record(recorded)
    return recorded
