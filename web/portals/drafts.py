"""Registrations in progress, kept server-side for 24 hours idle.

A draft is read and written at every step and at every change of a field, so those two go
by plain SQL (one statement each, values converted by the model's own fields): building a
model instance and its queries costs ten times the statement itself.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from starlette.requests import Request
from tortoise.queryset import QuerySet

from web.portals.models import RegistrationDraft
from web.security.audit import audit
from web.security.tokens import digest

DRAFT_IDLE_LIFETIME = timedelta(hours=24)


def _key(request: Request, portal_id: str) -> str:
    return f"{digest(request.state.sid)}:{portal_id}"


_FIELDS = RegistrationDraft._meta.fields_map
_SELECT = "SELECT data, expires_at FROM registration_draft WHERE key = ?"
_UPDATE = (
    "UPDATE registration_draft SET portal = ?, data = ?, updated_at = ?, expires_at = ? "
    "WHERE key = ?"
)
_INSERT = (
    "INSERT INTO registration_draft (portal, data, updated_at, expires_at, key) "
    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING RETURNING key"
)


def _sql(connection, statement: str) -> str:
    """``statement`` in the connection's placeholders (PostgreSQL numbers them)."""
    if connection.capabilities.dialect != "postgres":
        return statement
    parts = statement.split("?")
    return "".join(f"{part}${n}" for n, part in enumerate(parts[:-1], 1)) + parts[-1]


async def load_draft(request: Request, portal_id: str) -> dict:
    key = _key(request, portal_id)
    connection = RegistrationDraft._meta.db
    rows = await connection.execute_query_dict(_sql(connection, _SELECT), [key])
    if not rows:
        return {}
    expires_at = _FIELDS["expires_at"].to_python_value(rows[0]["expires_at"])
    if expires_at < datetime.now(UTC):
        await RegistrationDraft.filter(key=key).delete()  # gone, as if purged
        return {}
    return dict(_FIELDS["data"].to_python_value(rows[0]["data"]))


async def save_draft(request: Request, portal_id: str, data: dict) -> None:
    moment = datetime.now(UTC)
    values = [
        _FIELDS[name].to_db_value(value, RegistrationDraft)
        for name, value in (("portal", portal_id), ("data", data), ("updated_at", moment),
                            ("expires_at", moment + DRAFT_IDLE_LIFETIME))
    ] + [_key(request, portal_id)]
    connection = RegistrationDraft._meta.db
    changed, _rows = await connection.execute_query(_sql(connection, _UPDATE), values)
    if changed:
        return
    if not await connection.execute_query_dict(_sql(connection, _INSERT), values):
        await connection.execute_query(_sql(connection, _UPDATE), values)  # saved meanwhile
        return
    # A new draft: the visitor's cookie may be days old, it starts a new life with the draft.
    request.state.sid_refresh = True
    await audit("registration_started", portal=portal_id)


async def delete_draft(request: Request, portal_id: str) -> None:
    await RegistrationDraft.filter(key=_key(request, portal_id)).delete()


def expired_drafts() -> QuerySet[RegistrationDraft]:
    return RegistrationDraft.filter(expires_at__lt=datetime.now(UTC))
