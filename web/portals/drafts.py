"""Registrations in progress, kept server-side for 24 hours idle, as typed drafts.

A draft kind is a dataclass with a ``VERSION`` and a ``version`` field; its stored shape is
its fields as JSON (datetimes as ISO text, nested dataclasses as objects). ``typed`` is the
one place an old shape is read: the kind's ``migrate(data, version)`` brings it to the
current version, or answers None, and the visitor starts a new draft.

A draft is read and written at every step and at every change of a field, so those two go
by plain SQL (one statement each, values converted by the model's own fields): building a
model instance and its queries costs ten times the statement itself. On a SQLite file, a
read outside a transaction goes by a connection of the server's own thread: Tortoise's
connection runs each statement in a thread of its own, and the hand-over there and back
costs ten times the read (in WAL a reader waits for no one; busy, it goes the usual way).
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import threading
import types
import typing
from datetime import datetime, timedelta
from functools import cache, lru_cache

from starlette.requests import Request
from tortoise.backends.base.client import TransactionalDBClient
from tortoise.backends.sqlite.client import SqliteClient
from tortoise.queryset import QuerySet

from web.clock import now
from web.db import in_dialect
from web.portals.models import RegistrationDraft
from web.security.audit import audit
from web.security.digests import digest

DRAFT_IDLE_LIFETIME = timedelta(hours=24)
# A draft saved as it was read, and written less than this ago, is not written again (its
# idle lifetime is that much shorter): a save while typing often changes nothing.
DRAFT_REWRITE_AFTER = timedelta(minutes=1)
D = typing.TypeVar("D")


def _key(request: Request, key: str) -> str:
    return f"{digest(request.state.sid)}:{key}"


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


async def load_draft(request: Request, key: str, kind: type[D]) -> D:
    """The visitor's draft of ``kind`` under ``key`` (a portal id), or a new one."""
    draft = await find_draft(request, key, kind)
    return kind() if draft is None else draft


async def find_draft(request: Request, key: str, kind: type[D]) -> D | None:
    """The visitor's draft of ``kind`` under ``key``, None when none is kept."""
    stored_key = _key(request, key)
    connection = RegistrationDraft._meta.db
    rows = _read_at_once(connection, stored_key)
    if rows is None:
        rows = await connection.execute_query_dict(in_dialect(connection, _SELECT), [stored_key])
    if not rows:
        return None
    expires_at = _moment(rows[0]["expires_at"])
    if expires_at < now():
        await RegistrationDraft.filter(key=stored_key).delete()  # gone, as if purged
        return None
    _read(request)[key] = (_stored(rows[0]["data"]), expires_at)
    return typed(kind, _stored(rows[0]["data"]))


def _stored(value):
    """The draft's data as the database gives it (each call a new copy: the draft built
    from one is changed in place, the other is what the database holds)."""
    if not isinstance(value, str | bytes):
        value = json.dumps(value)
    return _FIELDS["data"].to_python_value(value)


def _moment(value) -> datetime:
    """A datetime column's value (SQLite's ISO text is read by ``fromisoformat``, ten times
    quicker than Tortoise's own parser)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            pass  # a form only Tortoise's parser reads
    return _FIELDS["expires_at"].to_python_value(value)


def _read_at_once(connection, stored_key: str) -> list[dict] | None:
    """The draft's row read in this thread from a SQLite file, outside a transaction (its
    own writes are the transaction's connection's); None: read it the usual way."""
    if (not isinstance(connection, SqliteClient) or isinstance(connection, TransactionalDBClient)
            or connection.filename.startswith(":memory:")):
        return None
    try:
        reader = _reader(connection.filename, threading.get_ident())
        return [dict(row) for row in reader.execute(_SELECT, [stored_key])]
    except sqlite3.Error:  # busy (a checkpoint), or a database it cannot read
        return None


@lru_cache(maxsize=16)  # a server has one database and one thread; a dropped one closes
def _reader(filename: str, thread: int) -> sqlite3.Connection:
    """A read-only connection that never waits (no busy timeout), one for each thread."""
    reader = sqlite3.connect(filename, timeout=0, isolation_level=None)
    reader.row_factory = sqlite3.Row
    reader.execute("PRAGMA query_only = ON")
    return reader


def _read(request: Request) -> dict:
    """key → (data as stored, expires_at) of the drafts this request read or wrote."""
    return request.scope.setdefault("state", {}).setdefault("drafts_read", {})


def _unchanged(request: Request, key: str, data, moment: datetime) -> bool:
    """Whether ``data`` is what the database holds (as data: PostgreSQL's jsonb gives the keys
    back in an order of its own) and was written less than DRAFT_REWRITE_AFTER ago."""
    stored, expires = _read(request).get(key, (None, None))
    return stored == data and expires - DRAFT_IDLE_LIFETIME > moment - DRAFT_REWRITE_AFTER


async def save_draft(request: Request, key: str, draft) -> None:
    moment, data = now(), as_data(draft)
    if _unchanged(request, key, data, moment):
        return
    _read(request)[key] = (data, moment + DRAFT_IDLE_LIFETIME)
    values = [
        _FIELDS[name].to_db_value(value, RegistrationDraft)
        for name, value in (("portal", key), ("data", data), ("updated_at", moment),
                            ("expires_at", moment + DRAFT_IDLE_LIFETIME))
    ] + [_key(request, key)]
    connection = RegistrationDraft._meta.db
    changed, _rows = await connection.execute_query(in_dialect(connection, _UPDATE), values)
    if changed:
        return
    if not await connection.execute_query_dict(in_dialect(connection, _INSERT), values):
        await connection.execute_query(in_dialect(connection, _UPDATE), values)  # saved meanwhile
        return
    # A new draft: the visitor's cookie may be days old, it starts a new life with the draft.
    request.state.sid_refresh = True
    if getattr(draft, "REGISTRATION", True):  # not, e.g., a login kept over a language switch
        await audit("registration_started", portal=key)


async def delete_draft(request: Request, key: str) -> None:
    _read(request).pop(key, None)
    await RegistrationDraft.filter(key=_key(request, key)).delete()


def expired_drafts() -> QuerySet[RegistrationDraft]:
    return RegistrationDraft.filter(expires_at__lt=now())


# -- the stored shape ---------------------------------------------------------------------------


def as_data(value):
    """A draft (or one of its values) as JSON data."""
    if isinstance(value, str | int | float | None):
        return value
    if dataclasses.is_dataclass(value):
        return {name: as_data(getattr(value, name)) for name in _names(type(value))}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {name: as_data(item) for name, item in value.items()}
    if isinstance(value, list | tuple):
        return [as_data(item) for item in value]
    return value


@cache
def _names(kind) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(kind))


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


def _value(read_as, value):
    if value is None or read_as is None:
        return value
    return datetime.fromisoformat(value) if read_as is datetime else _build(read_as, value)


@cache
def _hints(kind) -> dict:
    """name → what its stored value is read as (a dataclass, datetime), None: as it is."""
    names = {f.name for f in dataclasses.fields(kind)}
    return {name: _read_as(hint) for name, hint in typing.get_type_hints(kind).items()
            if name in names}


def _read_as(hint):
    options = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    return next((option for option in options
                 if dataclasses.is_dataclass(option) or option is datetime), None)
