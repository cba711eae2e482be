"""Registrations in progress, kept server-side for 24 hours idle, as typed drafts.

A draft kind is a dataclass with a ``VERSION`` and a ``version`` field; its stored shape is
its fields as JSON (datetimes as ISO text, nested dataclasses as objects). ``typed`` is the
one place an old shape is read: the kind's ``migrate(data, version)`` brings it to the
current version, or answers None, and the visitor starts a new draft.

A draft is read and written at every step and at every change of a field, so those two go
by plain SQL (one statement each): building a model instance and its queries costs ten times
the statement itself. The data is stored as its canonical JSON text, which on SQLite comes
back as it was written: an unchanged save is told by comparing two texts. On a SQLite file,
outside a transaction, a draft is read and written by a connection of the server's own thread:
Tortoise's connection runs each statement in a thread of its own, and the hand-over there and
back costs ten times the statement. It never waits: busy, or with a statement or transaction
of Tortoise's under way (whose snapshot a write would outdate), it goes the usual way.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import threading
import types
import typing
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache, partial

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
# A draft written less than this ago keeps its idle lifetime (that much shorter): saved as it
# was read, it is not written again (a save while typing often changes nothing); changed, its
# data alone is written.
DRAFT_REWRITE_AFTER = timedelta(minutes=1)
D = typing.TypeVar("D")


def _key(request: Request, key: str) -> str:
    return f"{_visitor(request.state.sid)}:{key}"


@lru_cache(maxsize=4096)  # a visitor's every request reads (and often writes) a draft
def _visitor(sid: str) -> str:
    return digest(sid)


_FIELDS = RegistrationDraft._meta.fields_map
_SELECT = "SELECT data, expires_at FROM registration_draft WHERE key = ?"
# ... and only if its stored data has a value (not null) for a field: JSON's own type of it.
_SELECT_HOLDING = {
    "sqlite": _SELECT + " AND json_type(data, '$.' || ?) <> 'null'",
    "postgres": _SELECT + " AND jsonb_typeof(data -> ?::text) <> 'null'",
}
_UPDATE = (
    "UPDATE registration_draft SET portal = ?, data = ?, updated_at = ?, expires_at = ? "
    "WHERE key = ?"
)
_UPDATE_DATA = "UPDATE registration_draft SET data = ? WHERE key = ?"
# ... only while it holds the data the request read (PostgreSQL compares jsonb by value).
_STILL_READ = " AND data = ?"
_INSERT = (
    "INSERT INTO registration_draft (portal, data, updated_at, expires_at, key) "
    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING RETURNING key"
)


async def load_draft(request: Request, key: str, kind: type[D]) -> D:
    """The visitor's draft of ``kind`` under ``key`` (a portal id), or a new one."""
    draft = await find_draft(request, key, kind)
    return kind() if draft is None else draft


async def find_draft(request: Request, key: str, kind: type[D], *,
                     holding: str | None = None) -> D | None:
    """The visitor's draft of ``kind`` under ``key``, None when none is kept. ``holding``: a
    field the caller needs, None too when the stored draft has no value for it (the statement
    says so, nothing is decoded); only for a field that reading an older shape may drop (or
    refuse), never fill in."""
    stored_key = _key(request, key)
    connection = RegistrationDraft._meta.db
    if holding is None:
        rows = await _rows(connection, _SELECT, [stored_key])
    else:
        select = _SELECT_HOLDING[connection.capabilities.dialect]
        rows = await _rows(connection, select, [stored_key, holding])
    if not rows:
        return None
    expires = _moment(rows[0]["expires_at"])
    if expires < now():
        await RegistrationDraft.filter(key=stored_key).delete()  # gone, as if purged
        return None
    stored = rows[0]["data"]
    data = json.loads(stored) if isinstance(stored, str) else stored
    if not isinstance(connection, SqliteClient):  # PostgreSQL's jsonb has a text of its own
        stored = as_json(data)
    _read(request)[key] = (stored, expires)
    return typed(kind, data)


def _at_once(connection, sql: str, values: list, *, write: bool) -> tuple | None:
    """The statement run in this thread on a SQLite file, outside a transaction (its own
    writes are the transaction's connection's): (rows changed, rows); None: run it the usual
    way. A write waits until Tortoise's connection is idle: one of its transactions that has
    read would fail to write after it."""
    if (not isinstance(connection, SqliteClient) or isinstance(connection, TransactionalDBClient)
            or connection.filename.startswith(":memory:")
            or (write and connection._lock.locked())):
        return None
    try:
        cursor = _own_connection(connection, threading.get_ident()).execute(sql, values)
        return cursor.rowcount, cursor.fetchall()  # rows read by name, as Tortoise's dicts
    except sqlite3.Error:  # busy (a checkpoint, another process's write), or unreadable
        return None


@lru_cache(maxsize=16)  # a server has one database and one thread; a dropped one closes
def _own_connection(client: SqliteClient, thread: int) -> sqlite3.Connection:
    """A connection to ``client``'s file that never waits (no busy timeout), one for each
    thread, set up as ``client``'s (WAL, ``synchronous``…)."""
    own = sqlite3.connect(client.filename, timeout=0, isolation_level=None)
    own.row_factory = sqlite3.Row
    for pragma, value in client.pragmas.items():
        own.execute(f"PRAGMA {pragma}={value}")
    return own


def _moment(value) -> datetime:
    """A stored datetime as the field reads it. SQLite gives back datetime.isoformat's text,
    which fromisoformat reads (the field's iso8601 parse costs a hundred times more)."""
    if isinstance(value, str):
        moment = datetime.fromisoformat(value)
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return _FIELDS["expires_at"].to_python_value(value)


def _read(request: Request) -> dict:
    """key → (data as stored, expires_at) of the drafts this request read or wrote (in the
    request's state, without the AttributeError, formatted, of a missing attribute of State)."""
    return request.scope.setdefault("state", {}).setdefault("drafts_read", {})


def _written_lately(expires: datetime | None, moment: datetime) -> bool:
    """A draft of this expiry was written less than DRAFT_REWRITE_AFTER before ``moment``."""
    return expires is not None and expires - DRAFT_IDLE_LIFETIME > moment - DRAFT_REWRITE_AFTER


async def save_draft(request: Request, key: str, draft, *, if_unchanged: bool = False) -> bool:
    """Write ``draft``; whether it was. ``if_unchanged``: only over the stored draft this
    request read (none read: only where there is still none), not over one written since."""
    moment, data = now(), as_json(draft)
    stored, expires = _read(request).get(key, (None, None))
    # The UPDATEs' condition, if unchanged: the stored text is still the one read.
    still, read = (_STILL_READ, [stored]) if if_unchanged else ("", [])
    connection = RegistrationDraft._meta.db
    if _written_lately(expires, moment):  # its idle lifetime is left as it is
        if stored == data:
            return True
        # The data alone (the index of expiry left alone: half the pages a commit writes).
        if await _changed(connection, _UPDATE_DATA + still, [data, _key(request, key), *read]):
            _read(request)[key] = (data, expires)
            return True
        if if_unchanged:
            return False
    values = _row(request, key, data, moment)
    if stored is not None or not if_unchanged:
        if await _changed(connection, _UPDATE + still, [*values, *read]):
            _read(request)[key] = (data, moment + DRAFT_IDLE_LIFETIME)
            return True
        if if_unchanged:
            return False
    if not await _rows(connection, _INSERT, values, write=True):
        if if_unchanged:
            return False
        await _changed(connection, _UPDATE, values)  # saved meanwhile
        _read(request)[key] = (data, moment + DRAFT_IDLE_LIFETIME)
        return True
    _read(request)[key] = (data, moment + DRAFT_IDLE_LIFETIME)
    # A new draft: the visitor's cookie may be days old, it starts a new life with the draft.
    request.state.sid_refresh = True
    if getattr(draft, "REGISTRATION", True):  # not, e.g., a login kept over a language switch
        await audit("registration_started", portal=key)
    return True


def _row(request: Request, key: str, data: str, moment: datetime) -> list:
    """The values of ``_UPDATE`` and ``_INSERT``: the draft ``data`` written at ``moment``."""
    return [
        _FIELDS["portal"].to_db_value(key, RegistrationDraft),
        data,  # the JSON text itself: the field would decode it again to check it
        *(_FIELDS[name].to_db_value(value, RegistrationDraft)
          for name, value in (("updated_at", moment),
                              ("expires_at", moment + DRAFT_IDLE_LIFETIME))),
        _key(request, key),
    ]


async def _changed(connection, sql: str, values: list) -> bool:
    """Whether the UPDATE ``sql`` changed a row."""
    done = _at_once(connection, sql, values, write=True)
    if done is None:
        done = await connection.execute_query(in_dialect(connection, sql), values)
    return done[0] > 0


async def _rows(connection, sql: str, values: list, *, write: bool = False) -> list[dict]:
    done = _at_once(connection, sql, values, write=write)
    if done is None:
        return await connection.execute_query_dict(in_dialect(connection, sql), values)
    return done[1]


async def delete_draft(request: Request, key: str) -> None:
    _read(request).pop(key, None)
    await RegistrationDraft.filter(key=_key(request, key)).delete()


def expired_drafts() -> QuerySet[RegistrationDraft]:
    return RegistrationDraft.filter(expires_at__lt=now())


# -- the stored shape ---------------------------------------------------------------------------


def as_json(draft) -> str:
    """A draft's stored text: its fields as JSON (datetimes as ISO text, nested dataclasses as
    objects), one text whatever the order of its keys (PostgreSQL's jsonb gives them back in an
    order of its own), in the compact form Tortoise's JSON field writes. One pass of the C
    encoder: only a dataclass or a datetime comes back to Python (``_jsonable``)."""
    return json.dumps(draft, sort_keys=True, separators=(",", ":"), default=_jsonable)


def _jsonable(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if dataclasses.is_dataclass(value):
        return {name: getattr(value, name) for name in _readers(type(value))}
    return str(value)


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
    readers = _readers(kind)
    values = {}
    for name, value in data.items():
        if name not in readers:
            raise TypeError(f"{kind.__name__} has no field {name!r}")
        read = readers[name]
        values[name] = value if read is None or value is None else read(value)
    return kind(**values)


@cache
def _readers(kind) -> dict:
    """The fields of ``kind``, in order: name → how a stored value is read (None: as it is)."""
    hints = typing.get_type_hints(kind)
    return {field.name: _reader(hints[field.name]) for field in dataclasses.fields(kind)}


def _reader(hint):
    options = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    for option in options:
        if dataclasses.is_dataclass(option):
            return partial(_build, option)
        if option is datetime:
            return datetime.fromisoformat
    return None
