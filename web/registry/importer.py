"""Import the registry from a CSV file (SPEC §6): streamed, idempotent, with a report.

The file is UTF-8 (with or without a byte order mark), comma-separated, with a header line.
Columns, in any order (a column may be left out when its values would all be empty):

=================  ==========================================================================
portal             ``mss`` or ``espace-prive`` (required)
identifier         mss: the UID, 9 digits, leading zeros kept. espace-prive: the social
                   security number without its key (13 characters, 2A/2B for Corsica, its
                   year and month agree with birth_date), or a SIRET (14 digits) for the
                   ``entreprise`` profile. Spaces are removed. (required)
last_name          (required) a company's name for a SIRET
first_names        (required, except for a SIRET)
birth_date         YYYY-MM-DD, a company's creation date for a SIRET (required)
email              may be empty
mobile             may be empty, international (+262 692…) or French national format, stored
                   in E.164
address            postal address, lines separated by line breaks inside quotes
language           ``fr`` (default) or ``en``: the language of the member's mail
employer           mss: current employer organisation (required for mss)
duty_country       mss: ISO 3166 alpha-2 code of the duty station's country, e.g. KE
entry_year         mss: year of entry into the fund, e.g. 1998
profile            espace-prive: exploitant, entreprise, particulier, employeur_jardinier or
                   cotisant_solidarite (required for espace-prive)
health_affiliated  espace-prive: yes / no (empty = no)
vitale_serial      espace-prive: Carte Vitale serial number (digits), may be empty
vitale_kind        espace-prive: ``photo`` or ``no_photo`` (required with a serial number)
iban               espace-prive: IBAN of the account benefits are paid to, may be empty
=================  ==========================================================================

Facts of the other portal are ignored. Rows are upserted on (portal, identifier): importing
the same file twice changes nothing, a later row for the same member updates it. A bad row
is rejected with its line number and the reason, the others are imported.
"""

from __future__ import annotations

import asyncio
import codecs
import csv
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, NamedTuple

from tortoise import connections

from web.i18n import gettext as _
from web.registry.models import Member
from web.registry.validation import (
    PORTALS,
    PROFILE_CODES,
    VITALE_KINDS,
    Invalid,
    column_birth_date,
    column_bool,
    column_choice,
    column_country,
    column_email,
    column_iban,
    column_language,
    column_mobile,
    column_name,
    column_text,
    column_vitale_serial,
    column_year,
    compact,
    is_nir13,
    is_siret,
    is_uid,
    nir_agrees_with_birth_date,
)

REQUIRED_COLUMNS = ("portal", "identifier", "last_name", "first_names", "birth_date")
COLUMNS = REQUIRED_COLUMNS + (
    "email",
    "mobile",
    "address",
    "language",
    "employer",
    "duty_country",
    "entry_year",
    "profile",
    "health_affiliated",
    "vitale_serial",
    "vitale_kind",
    "iban",
)
MAX_LINE_BYTES = 64 * 1024  # a line, and a record
MAX_RECORD_LINES = 20  # an address takes a few: a record over this has a quote left open
BATCH_SIZE = 5000  # rows per statement; SQLite holds its write lock for one (0.1-0.2 s, loaded)
KEPT_REJECTIONS = 1000
MEMBER_FIELDS = (
    "last_name",
    "first_names",
    "birth_date",
    "email",
    "mobile",
    "address",
    "language",
    "facts",
)


class ImportFailed(Exception):
    """The file as a whole cannot be imported; the message is the translated reason."""


@dataclass(frozen=True)
class Rejection:
    line: int
    reason: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected_count: int = 0
    rows: int = 0  # every record read: created + updated + unchanged + rejected
    rejected: list[Rejection] = field(default_factory=list)  # the first KEPT_REJECTIONS

    def add(self, other: ImportResult) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged


# --- one row ------------------------------------------------------------------------------


def mss_facts(row: dict[str, str], birth_year: int) -> dict:
    return {
        "employer": column_text(row.get("employer", ""), "employer", required=True),
        "duty_country": column_country(row.get("duty_country", "")),
        "entry_year": column_year(row.get("entry_year", ""), "entry_year", not_before=birth_year),
    }


def espace_prive_facts(row: dict[str, str]) -> dict:
    serial = column_vitale_serial(row.get("vitale_serial", ""))
    kind = column_choice(
        row.get("vitale_kind", ""), "vitale_kind", VITALE_KINDS, required=bool(serial)
    )
    return {
        "profile": column_choice(row.get("profile", ""), "profile", PROFILE_CODES),
        "health_affiliated": column_bool(row.get("health_affiliated", ""), "health_affiliated"),
        "vitale_serial": serial,
        "vitale_kind": kind if serial else "",
        "iban": column_iban(row.get("iban", "")),
    }


def _espace_prive_identity(row: dict[str, str], identifier: str, birth_date, facts) -> str:
    """Check the identifier against the profile and birth date; return the first names."""
    if is_siret(identifier):
        if facts["profile"] != "entreprise":
            raise Invalid(_("identifier: a SIRET is only for the entreprise profile"))
        return column_name(row.get("first_names", ""), "first_names", required=False)
    if not is_nir13(identifier):
        raise Invalid(
            _(
                "identifier: expected a social security number (13 characters "
                "without the key) or a SIRET (14 digits)"
            )
        )
    if facts["profile"] == "entreprise":
        raise Invalid(_("identifier: the entreprise profile needs a SIRET"))
    if not nir_agrees_with_birth_date(identifier, birth_date):
        raise Invalid(_("identifier: the social security number does not agree with birth_date"))
    return column_name(row.get("first_names", ""), "first_names")


def member_values(row: dict[str, str]) -> dict:
    """The Member fields for one CSV row, or ``Invalid`` with the first reason found."""
    portal = (row.get("portal") or "").strip().lower()
    if portal not in PORTALS:
        raise Invalid(_("portal: expected mss or espace-prive"))
    identifier = compact(column_text(row.get("identifier", ""), "identifier", required=True))
    last_name = column_name(row.get("last_name", ""), "last_name")
    birth_date = column_birth_date(row.get("birth_date", ""))
    if portal == "mss":
        if not is_uid(identifier):
            raise Invalid(_("identifier: a UID has 9 digits"))
        first_names = column_name(row.get("first_names", ""), "first_names")
        facts = mss_facts(row, birth_date.year)
    else:
        facts = espace_prive_facts(row)
        first_names = _espace_prive_identity(row, identifier, birth_date, facts)
    return {
        "portal": portal,
        "identifier": identifier,
        "last_name": last_name,
        "first_names": first_names,
        "birth_date": birth_date,
        "email": column_email(row.get("email", "")),
        "mobile": column_mobile(row.get("mobile", "")),
        "address": column_text(row.get("address", ""), "address", multiline=True),
        "language": column_language(row.get("language", "")),
        "facts": facts,
    }


# --- saving -------------------------------------------------------------------------------


# ON CONFLICT finds each existing member by the unique index (no existence query whose plan
# depends on statistics a growing table lacks, no autovacuum) and rewrites a member only when
# a value differs. One statement text whatever the batch's size: prepared once.
_COLUMNS = ("portal", "identifier", *MEMBER_FIELDS)
_CHANGED = " OR ".join(f"member.{name} <> excluded.{name}" for name in MEMBER_FIELDS)
_ON_CONFLICT = (
    "ON CONFLICT (portal, identifier) DO UPDATE SET "
    f"{', '.join(f'{name} = excluded.{name}' for name in (*MEMBER_FIELDS, 'imported_at'))} "
    f"WHERE {_CHANGED}"
)
_POSTGRES_TYPES = {"birth_date": "date", "facts": "jsonb"}
# PostgreSQL: the batch as one array per column, unnested; it counts what it wrote itself
# (xmax is 0 on a row this statement inserted).
_ARRAYS = ", ".join(
    f"${n}::{_POSTGRES_TYPES.get(name, 'text')}[]" for n, name in enumerate(_COLUMNS, 1)
)
_POSTGRES_UPSERT = (
    f"WITH written AS (INSERT INTO member ({', '.join(_COLUMNS)}, imported_at) "  # noqa: S608 - our names
    f"SELECT {', '.join(_COLUMNS)}, ${len(_COLUMNS) + 1}::timestamptz FROM unnest({_ARRAYS}) "
    f"AS batch ({', '.join(_COLUMNS)}) {_ON_CONFLICT} RETURNING (xmax = 0) AS created) "
    "SELECT count(*) AS written, count(*) FILTER (WHERE created) AS created FROM written"
)
# SQLite: one prepared row upsert run over the batch; the rows it created are those past the
# highest id before it (the write lock is held from the start: nobody else inserts between).
_SQLITE_UPSERT = (
    f"INSERT INTO member ({', '.join(_COLUMNS)}, imported_at) "  # noqa: S608 - our names
    f"VALUES ({', '.join('?' * (len(_COLUMNS) + 1))}) {_ON_CONFLICT}"
)


def _rows(records: list[dict], moment: datetime) -> list[tuple]:
    facts = Member._meta.fields_map["facts"]
    return [
        (*(record[name] for name in _COLUMNS[:-1]), facts.to_db_value(record["facts"], Member),
         moment)
        for record in records
    ]


async def upsert_members(records: Iterable[dict]) -> ImportResult:
    """Create or update members keyed on (portal, identifier), writing only what changed."""
    records = list(records)
    result = ImportResult()
    if not records:
        return result
    rows = _rows(records, datetime.now(UTC))
    connection = connections.get("default")
    if connection.capabilities.dialect == "postgres":
        written, result.created = await _upsert_postgres(connection, rows)
    else:
        written, result.created = await _upsert_sqlite(connection, rows)
    result.updated = written - result.created
    result.unchanged = len(records) - written
    return result


async def _upsert_postgres(connection, rows: list[tuple]) -> tuple[int, int]:
    """(rows written, rows created): one statement, its own transaction."""
    columns = [list(column) for column in zip(*rows, strict=True)]
    moment = columns.pop()[0]
    [counts] = await connection.execute_query_dict(_POSTGRES_UPSERT, [*columns, moment])
    return counts["written"], counts["created"]


async def _upsert_sqlite(connection, rows: list[tuple]) -> tuple[int, int]:
    """(rows written, rows created): one transaction on the raw connection."""
    async with connection.acquire_connection() as raw:
        await raw.execute("BEGIN IMMEDIATE")
        try:
            async with raw.execute("SELECT coalesce(max(id), 0) FROM member") as cursor:
                [highest] = await cursor.fetchone()
            before = raw.total_changes
            await raw.executemany(_SQLITE_UPSERT, rows)
            written = raw.total_changes - before
            async with raw.execute("SELECT count(*) FROM member WHERE id > ?", [highest]) as cursor:
                [created] = await cursor.fetchone()
        except BaseException:
            await raw.execute("ROLLBACK")
            raise
        await raw.execute("COMMIT")
    return written, created


# --- reading ------------------------------------------------------------------------------


class _Line(NamedTuple):
    number: int
    text: str
    size: int  # bytes kept (a line too long keeps none)
    problem: str | None = None  # why it cannot be read (too long, not UTF-8)


def _physical_lines(raw: BinaryIO) -> Iterator[_Line]:
    """Decoded lines of a binary file, at most MAX_LINE_BYTES each: a line too long or not
    UTF-8 comes with its problem (empty or replaced), so that lines keep their numbers."""
    number = 0
    while chunk := raw.readline(MAX_LINE_BYTES + 1):
        number += 1
        size = len(chunk)
        if number == 1:
            chunk = chunk.removeprefix(codecs.BOM_UTF8)
        problem = None
        if len(chunk) > MAX_LINE_BYTES and not chunk.endswith(b"\n"):
            while chunk and not chunk.endswith(b"\n"):  # skip the rest of the line
                chunk = raw.readline(MAX_LINE_BYTES)
                size += len(chunk)
            problem, chunk = _("the line is too long"), b"\n"
        try:
            text = chunk.decode("utf-8")
        except UnicodeDecodeError:
            problem = _("the line is not valid UTF-8")
            text = chunk.decode("utf-8", errors="replace")
        yield _Line(number, text, len(chunk), problem)


class _Unclosed(Exception):
    """A quoted field runs past the end of the file, or over the record's limits."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


class _Records:
    """CSV records over the physical lines. A record that cannot be read (an unclosed quote,
    over MAX_RECORD_LINES or MAX_LINE_BYTES) is rejected at its first line, and reading starts
    again on the next line: a quote left open loses one row, never the rest of the file."""

    def __init__(self, lines: Iterator[_Line]) -> None:
        self.lines = lines
        self.pending: deque[_Line] = deque()  # read, then given back for the next record
        self.taken: list[_Line] = []  # the lines of the record being read
        self.size = 0  # their bytes

    def _feed(self) -> Iterator[str]:
        while line := self.pending.popleft() if self.pending else next(self.lines, None):
            self.taken.append(line)
            self.size += line.size
            if len(self.taken) > MAX_RECORD_LINES or self.size > MAX_LINE_BYTES:
                raise _Unclosed(
                    _(
                        "the record starting on this line runs over more than %(lines)s "
                        "lines or 64 KiB: a quote is probably not closed",
                        lines=MAX_RECORD_LINES,
                    )
                )
            yield line.text
        if self.taken:  # the reader asks for more only inside a quoted field
            raise _Unclosed(_("a quote opened on this line is never closed"))

    def __iter__(self) -> Iterator[tuple[int, list[str] | Rejection]]:
        reader = csv.reader(self._feed())  # a new one only after a record it could not read
        while True:
            self.taken, self.size = [], 0
            try:
                values = next(reader)
            except StopIteration:
                return
            except (_Unclosed, csv.Error) as error:
                first = self.taken[0].number
                self.pending.extendleft(reversed(self.taken[1:]))
                reason = getattr(error, "reason", None) or _(
                    "unreadable CSV: %(error)s", error=str(error)
                )
                reader = csv.reader(self._feed())
                yield first, Rejection(first, reason)
                continue
            first = self.taken[0].number
            problem = next((line.problem for line in self.taken if line.problem), None)
            yield first, Rejection(first, problem) if problem else values


def _header(records: Iterator[tuple[int, list[str] | Rejection]]) -> list[str]:
    header = next(records, None)
    if header is None:
        raise ImportFailed(_("the file is empty"))
    if isinstance(header[1], Rejection) or not header[1]:
        raise ImportFailed(_("the first line must be a UTF-8 header naming the columns"))
    names = [name.strip().lower() for name in header[1]]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise ImportFailed(_("missing columns: %(columns)s", columns=", ".join(missing)))
    unknown = [n for n in names if n not in COLUMNS]
    if unknown:
        raise ImportFailed(
            _("unknown columns: %(columns)s", columns=", ".join(n[:40] for n in unknown[:10]))
        )
    if len(set(names)) != len(names):
        raise ImportFailed(_("a column is named twice"))
    return names


def read_rows(raw: BinaryIO) -> Iterator[tuple[int, dict | Rejection]]:
    """(first line number, row dict) for each record, or a Rejection when unreadable; blank
    lines are skipped."""
    if raw.peek(2)[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        raise ImportFailed(_("the file must be UTF-8 (this one is UTF-16)"))
    records = iter(_Records(_physical_lines(raw)))
    names = _header(records)
    for first, values in records:
        if isinstance(values, Rejection):
            yield first, values
        elif not values:
            continue  # a blank line
        elif len(values) != len(names):
            reason = _(
                "expected %(expected)s fields, found %(found)s",
                expected=len(names),
                found=len(values),
            )
            yield first, Rejection(first, reason)
        else:
            yield first, dict(zip(names, values, strict=True))


async def import_members(
    path: str | Path,
    *,
    on_progress: Callable[[int, int], None] | None = None,
    on_reject: Callable[[Rejection], None] | None = None,
) -> ImportResult:
    """Import a registry CSV file; ``on_progress`` receives the bytes and the rows read since
    its last call (once a batch), ``on_reject`` each rejected row."""
    result = ImportResult()

    def reject(rejection: Rejection) -> None:
        result.rejected_count += 1
        if len(result.rejected) < KEPT_REJECTIONS:
            result.rejected.append(rejection)
        if on_reject:
            on_reject(rejection)

    try:
        # Blocking reads are fine: the importer runs alone in the command line.
        raw = open(path, "rb")  # noqa: ASYNC230
    except OSError as error:
        raise ImportFailed(
            _("cannot read %(path)s: %(error)s", path=str(path), error=error.strerror or str(error))
        ) from None
    # PostgreSQL works in its own process while the next batch is read; SQLite works in this
    # one, and would hold its write lock until the batch's task resumes: it is waited for.
    overlap = connections.get("default").capabilities.dialect == "postgres"
    with raw:
        writing = None  # the last batch's statement
        try:
            for batch in _batches(raw, result, reject, on_progress):
                if writing:
                    result.add(await writing)
                writing = asyncio.ensure_future(upsert_members(batch))
                await (asyncio.sleep(0) if overlap else asyncio.wait([writing]))
        except BaseException:
            if writing:
                writing.cancel()
            raise
        result.add(await writing)
    return result


def _batches(raw: BinaryIO, result: ImportResult, reject, on_progress) -> Iterator[list[dict]]:
    """The valid records, by batches of at most BATCH_SIZE members, each member once (a later
    row for the same member goes to the next batch); rows counted in ``result``."""
    batch: dict[tuple[str, str], dict] = {}
    reported = (0, 0)  # bytes, rows

    def progress() -> None:
        nonlocal reported
        now = (raw.tell(), result.rows)
        if on_progress:
            on_progress(now[0] - reported[0], now[1] - reported[1])
        reported = now

    for line, row in read_rows(raw):
        result.rows += 1
        if isinstance(row, Rejection):
            reject(row)
            continue
        try:
            record = member_values(row)
        except Invalid as error:
            reject(Rejection(line, str(error)))
            continue
        key = (record["portal"], record["identifier"])
        if key in batch or len(batch) >= BATCH_SIZE:
            progress()
            yield list(batch.values())
            batch.clear()
        batch[key] = record
    progress()
    yield list(batch.values())
