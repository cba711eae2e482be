"""Registrations in progress, kept server-side for 24 hours idle, as typed drafts.

A draft kind is a dataclass with a ``VERSION`` and a ``version`` field; its stored shape is
its fields as JSON (datetimes as ISO text, nested dataclasses as objects). ``typed`` is the
one place an old shape is read: the kind's ``migrate(data, version)`` brings it to the
current version, or answers None, and the visitor starts a new draft.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import datetime, timedelta
from functools import cache

from starlette.requests import Request
from tortoise.queryset import QuerySet

from web.clock import now
from web.portals.models import RegistrationDraft
from web.security.audit import audit
from web.security.digests import digest

DRAFT_IDLE_LIFETIME = timedelta(hours=24)
D = typing.TypeVar("D")


def _key(request: Request, key: str) -> str:
    return f"{digest(request.state.sid)}:{key}"


async def load_draft(request: Request, key: str, kind: type[D]) -> D:
    """The visitor's draft of ``kind`` under ``key`` (a portal id), or a new one."""
    draft = await find_draft(request, key, kind)
    return kind() if draft is None else draft


async def find_draft(request: Request, key: str, kind: type[D]) -> D | None:
    """The visitor's draft of ``kind`` under ``key``, None when none is kept."""
    stored = await RegistrationDraft.get_or_none(key=_key(request, key))
    if stored is None:
        return None
    if stored.expires_at < now():
        await stored.delete()  # gone, as if purged: the next save starts a new one
        return None
    return typed(kind, stored.data)


async def save_draft(request: Request, key: str, draft) -> None:
    moment = now()
    _stored, created = await RegistrationDraft.update_or_create(
        key=_key(request, key),
        defaults={
            "portal": key,
            "data": as_data(draft),
            "updated_at": moment,
            "expires_at": moment + DRAFT_IDLE_LIFETIME,
        },
    )
    if created:  # the visitor's cookie may be days old: it starts a new life with the draft
        request.state.sid_refresh = True
        await audit("registration_started", portal=key)


async def delete_draft(request: Request, key: str) -> None:
    await RegistrationDraft.filter(key=_key(request, key)).delete()


def expired_drafts() -> QuerySet[RegistrationDraft]:
    return RegistrationDraft.filter(expires_at__lt=now())


# -- the stored shape ---------------------------------------------------------------------------


def as_data(value):
    """A draft (or one of its values) as JSON data."""
    if dataclasses.is_dataclass(value):
        return {f.name: as_data(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {name: as_data(item) for name, item in value.items()}
    if isinstance(value, list | tuple):
        return [as_data(item) for item in value]
    return value


def typed(kind: type[D], data) -> D:
    """The draft of ``kind`` stored as ``data``: migrated from an older version, or a new
    draft when its shape cannot be read (refused, not half-read)."""
    if not isinstance(data, dict):
        return kind()
    version = data.get("version", 0)
    if version != kind.VERSION:
        data = kind.migrate(dict(data), version)
        if data is None:
            return kind()
    try:
        return _build(kind, data)
    except (TypeError, ValueError, KeyError):
        return kind()


def _build(kind, data):
    if not isinstance(data, dict):
        raise TypeError(f"{kind.__name__} is stored as an object")
    hints = _hints(kind)
    values = {}
    for name, value in data.items():
        if name not in hints:
            raise TypeError(f"{kind.__name__} has no field {name!r}")
        values[name] = _value(hints[name], value)
    return kind(**values)


def _value(hint, value):
    if value is None:
        return None
    options = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    for option in options:
        if dataclasses.is_dataclass(option):
            return _build(option, value)
        if option is datetime:
            return datetime.fromisoformat(value)
    return value


@cache
def _hints(kind) -> dict:
    return {
        name: hint
        for name, hint in typing.get_type_hints(kind).items()
        if name in {f.name for f in dataclasses.fields(kind)}
    }
