"""Typed drafts: the stored shape, and the one loader that migrates an old one or starts over."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import threading
import typing
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.requests import Request
from tortoise import Tortoise, connections
from tortoise.transactions import in_transaction

from web.clock import now
from web.db import in_dialect, migrate, tortoise_config
from web.portals import drafts
from web.portals.accounts.typed import TypedLogins
from web.portals.drafts import as_json, find_draft, save_draft, typed
from web.portals.espace_prive import wizard
from web.portals.models import RegistrationDraft
from web.portals.mss import state

STARTED = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)


def test_a_draft_is_stored_as_json_data_and_read_back_the_same():
    draft = state.Draft(
        started=STARTED,
        fields={"uid": "000314159"},
        verification=state.Verification("f", 7, ["employer", "entry_year"], choices=["A"]),
        policy=state.Policy("2026-01", STARTED),
    )
    data = json.loads(as_json(draft))
    assert data["started"] == "2026-12-02T09:30:00+00:00"
    assert data["verification"]["facts"] == ["employer", "entry_year"]
    assert typed(state.Draft, data) == draft


def shape_of(value):
    """The stored shape as it was first written, value by value (as_json's reference)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {name: shape_of(item) for name, item in value.items()}
    if isinstance(value, list | tuple):
        return [shape_of(item) for item in value]
    if dataclasses.is_dataclass(value):
        return {field.name: shape_of(getattr(value, field.name))
                for field in dataclasses.fields(value)}
    return value


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.one_of(st.from_type(state.Draft), st.from_type(wizard.Draft),
                 st.from_type(TypedLogins)))
def test_a_draft_is_written_in_one_pass_as_its_shape_value_by_value(draft):
    assert as_json(draft) == json.dumps(shape_of(draft), sort_keys=True, separators=(",", ":"),
                                        default=str)


def test_an_untyped_mss_draft_is_migrated_and_an_old_verification_dropped():
    old = {
        "started": STARTED.isoformat(),
        "fields": {"email": "a@example.org"},
        "verification": {"fingerprint": "f", "member": 7, "facts": ["employer"], "step": 0,
                         "outcome": None},  # saved before the suggestions were kept
        "policy": {"version": "2026-01", "accepted_at": STARTED.isoformat()},
    }
    draft = typed(state.Draft, old)
    assert draft.version == state.Draft.VERSION and draft.started == STARTED
    assert draft.fields == {"email": "a@example.org"} and draft.verification is None
    assert draft.policy == state.Policy("2026-01", STARTED)


def test_an_untyped_espace_prive_draft_keeps_its_fields_apart():
    old = {"profile": "particulier", "identifier": "2 85 03", "password_seen": True,
           "verified": {"member": 3, "method": "iban", "fingerprint": "f",
                        "registry_email": False}}
    draft = typed(wizard.Draft, old)
    assert draft.fields == {"profile": "particulier", "identifier": "2 85 03"}
    assert draft.password_seen and draft.verified == wizard.Verified(3, "iban", "f", False)


def test_an_espace_prive_draft_of_version_1_keeps_its_answers_as_its_fields():
    old = {"version": 1, "started": STARTED.isoformat(), "answers": {"profile": "particulier"},
           "password_seen": True}
    draft = typed(wizard.Draft, old)
    assert draft.version == wizard.Draft.VERSION and draft.started == STARTED
    assert draft.fields == {"profile": "particulier"} and draft.password_seen


def test_a_shape_the_code_cannot_read_starts_a_new_draft():
    for data in ({"version": 99, "fields": {}}, {"version": 1, "unknown": 1},
                 {"version": 1, "started": "yesterday"}, ["not", "an", "object"]):
        assert typed(state.Draft, data).fields == {}, data
    assert typed(TypedLogins, {"login": "claire"}).login == "claire"


@pytest.mark.parametrize(("query", "level"), [("", 1), ("?synchronous=FULL", 2)])
async def test_a_sqlite_commit_does_not_wait_for_the_disk_unless_the_url_says_so(
        tmp_path, query, level):
    """WAL with synchronous=NORMAL (SQLite's advice for WAL: never corrupt, a power cut may
    lose the last commits): a draft saved at every pause in typing no longer waits an fsync
    (8 ms a commit on the bench's disk, the whole cost of a save)."""
    url = f"sqlite://{tmp_path / 'espace.sqlite3'}{query}"
    await Tortoise.init(config=tortoise_config(url))
    try:
        rows = await connections.get("default").execute_query_dict("PRAGMA synchronous")
    finally:
        await Tortoise.close_connections()
    assert rows == [{"synchronous": level}]


@pytest.mark.parametrize(("query", "limit"), [("", 4 * 1024 * 1024),
                                              ("?journal_size_limit=16384", 16384)])
async def test_a_checkpointed_wal_keeps_its_size_unless_the_url_says_so(tmp_path, query, limit):
    """After a checkpoint the WAL is cut back to what autocheckpoint lets it reach (1000
    pages of 4 KiB), not to Tortoise's 16 KiB: a commit that must grow the file again costs a
    fifth more than one that writes over it (a draft is saved at every pause in typing)."""
    url = f"sqlite://{tmp_path / 'espace.sqlite3'}{query}"
    await Tortoise.init(config=tortoise_config(url))
    try:
        client = connections.get("default")
        rows = await client.execute_query_dict("PRAGMA journal_size_limit")
        own = drafts._own_connection(client, threading.get_ident())
        own_limit = own.execute("PRAGMA journal_size_limit").fetchone()[0]
    finally:
        drafts._own_connection.cache_clear()
        await Tortoise.close_connections()
    assert rows == [{"journal_size_limit": limit}]
    assert own_limit == limit


@dataclasses.dataclass
class Kept:
    VERSION: typing.ClassVar[int] = 1
    REGISTRATION: typing.ClassVar[bool] = False  # no audit event
    version: int = VERSION
    text: str = ""


def visitor() -> Request:
    return Request({"type": "http", "state": {"sid": "visitor"}})


@pytest.fixture
async def sqlite_file(tmp_path):
    url = f"sqlite://{tmp_path / 'espace.sqlite3'}"
    await migrate(url)
    await Tortoise.init(config=tortoise_config(url))
    yield
    await Tortoise.close_connections()


def own_statements() -> int:
    """Statements run on the server's own thread's connection so far."""
    info = drafts._own_connection.cache_info()
    return info.hits + info.misses


async def test_a_draft_on_a_sqlite_file_is_read_in_the_servers_own_thread(sqlite_file):
    await save_draft(visitor(), "mss", Kept(text="typed"))
    reads = own_statements()
    assert await find_draft(visitor(), "mss", Kept) == Kept(text="typed")
    assert await find_draft(visitor(), "espace-prive", Kept) is None
    assert own_statements() == reads + 2


async def test_in_a_transaction_a_draft_is_read_on_its_connection(sqlite_file):
    """A reader of its own would not see what the transaction wrote before committing."""
    reads = drafts._own_connection.cache_info()
    async with in_transaction():
        await save_draft(visitor(), "mss", Kept(text="uncommitted"))
        assert await find_draft(visitor(), "mss", Kept) == Kept(text="uncommitted")
    assert drafts._own_connection.cache_info() == reads


async def test_a_draft_on_a_sqlite_file_is_written_in_the_servers_own_thread(sqlite_file):
    statements = own_statements()
    await save_draft(visitor(), "mss", Kept(text="new"))  # UPDATE (no row), INSERT
    await save_draft(visitor(), "mss", Kept(text="changed"))  # UPDATE
    assert own_statements() == statements + 3
    rows = await connections.get("default").execute_query_dict(
        "SELECT data FROM registration_draft")
    assert [typed(Kept, json.loads(row["data"])) for row in rows] == [Kept(text="changed")]


async def test_a_save_waits_for_a_transaction_under_way_on_tortoises_connection(sqlite_file):
    """Written at once beside it, the transaction, which has read, could no longer write
    (its snapshot is older than the file)."""
    has_read = asyncio.Event()

    async def transaction():
        async with in_transaction() as connection:
            await connection.execute_query_dict("SELECT key FROM registration_draft")
            has_read.set()
            await asyncio.sleep(0.05)  # the save beside it is attempted meanwhile
            other = Request({"type": "http", "state": {"sid": "other"}})
            await save_draft(other, "mss", Kept(text="in the transaction"))

    under_way = asyncio.create_task(transaction())
    await has_read.wait()
    await save_draft(visitor(), "mss", Kept(text="beside"))
    await under_way
    rows = await connections.get("default").execute_query_dict(
        "SELECT data FROM registration_draft")
    assert sorted(typed(Kept, json.loads(row["data"])).text for row in rows) == [
        "beside", "in the transaction"]


async def test_a_draft_changed_in_place_after_its_read_is_written(sqlite_file):
    """What the database holds is kept apart from the draft built from it: a field changed in
    the draft's own dict is a change to write."""
    await save_draft(visitor(), "espace-prive", wizard.Draft(fields={"profile": "exploitant"}))
    request = visitor()
    draft = await find_draft(request, "espace-prive", wizard.Draft)
    draft.fields["profile"] = "particulier"
    await save_draft(request, "espace-prive", draft)
    stored = await find_draft(visitor(), "espace-prive", wizard.Draft)
    assert stored.fields == {"profile": "particulier"}


async def test_a_draft_is_found_holding_a_field_only_when_it_has_a_value(db):
    """The security panel needs the draft only when a verification is under way: without one,
    the statement finds nothing and nothing is decoded."""
    await save_draft(visitor(), "mss", state.Draft(fields={"email": "a@example.org"}))
    assert await find_draft(visitor(), "mss", state.Draft, holding="verification") is None
    verifying = state.Draft(verification=state.Verification("f", 7, ["employer"]))
    await save_draft(visitor(), "mss", verifying)
    assert await find_draft(visitor(), "mss", state.Draft, holding="verification") == verifying


STORE = ("INSERT INTO registration_draft (key, portal, data, updated_at, expires_at) "
         "VALUES (?, 'mss', ?, ?, ?)")
# Stored texts: no U+0000, which PostgreSQL's jsonb cannot hold (nor a form send: FormData
# strips control characters).
TEXTS = st.text(alphabet=st.characters(blacklist_characters="\x00"), max_size=3)
VERIFICATIONS = st.one_of(
    st.just({"fingerprint": "f", "member": 7, "facts": ["employer"], "step": 0,
             "outcome": None, "choices": ["A"], "answer": ""}),
    st.just({"fingerprint": "f", "member": 7, "facts": ["employer"]}),  # saved before choices
    st.none(), st.integers(), TEXTS, st.lists(st.none(), max_size=1),
    st.dictionaries(st.sampled_from(["fingerprint", "member", "other"]), st.integers()),
)
STORED = st.one_of(
    st.fixed_dictionaries({}, optional={
        "version": st.sampled_from([0, 1, 2, "1", None]),
        "started": st.sampled_from([STARTED.isoformat(), "yesterday"]),
        "fields": st.dictionaries(st.sampled_from(["uid", "email"]), TEXTS),
        "verification": VERIFICATIONS,
        "unknown": st.integers(),
    }),
    st.lists(st.integers(), max_size=2), TEXTS, st.booleans(),
)


async def test_a_draft_found_holding_a_field_is_the_draft_found_without(db):
    """Whatever the stored shape (old, unreadable, expired): a draft that the typed read finds
    with a verification is found holding one, the same; and holding one, it is that draft."""
    loop = asyncio.get_running_loop()

    async def found(data, expired: bool, holding: str | None):
        await RegistrationDraft.all().delete()
        expires = now() + (-1 if expired else 1) * drafts.DRAFT_IDLE_LIFETIME
        connection = connections.get("default")  # the text as it is (the field decodes it)
        await connection.execute_query(in_dialect(connection, STORE), [
            drafts._key(visitor(), "mss"), json.dumps(data), now(), expires])
        draft = await find_draft(visitor(), "mss", state.Draft, holding=holding)
        return draft and dataclasses.replace(draft, started=STARTED)  # a new one's is now()

    @settings(max_examples=150, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(data=STORED, expired=st.booleans())
    def agree(data, expired):
        def run(holding):
            return asyncio.run_coroutine_threadsafe(found(data, expired, holding), loop).result(30)

        typed_read, holding = run(None), run("verification")
        if typed_read and typed_read.verification:
            assert holding == typed_read
        else:
            assert holding is None or holding == typed_read

    await asyncio.to_thread(agree)


async def stored_row() -> RegistrationDraft | None:
    return await RegistrationDraft.get_or_none(key=drafts._key(visitor(), "mss"))


@pytest.mark.parametrize("if_unchanged", [False, True])
async def test_a_draft_changed_soon_after_it_was_written_keeps_its_expiry(db, monkeypatch,
                                                                           if_unchanged):
    """Changed less than DRAFT_REWRITE_AFTER after it was written, only its data is written
    (the index of expiry is left alone); after that, its idle lifetime is renewed again. A
    save if unchanged writes alike over the draft it read."""
    await save_draft(visitor(), "mss", Kept(text="first"))
    written = await stored_row()
    for delay, text in ((drafts.DRAFT_REWRITE_AFTER / 2, "soon"),
                        (drafts.DRAFT_REWRITE_AFTER, "later")):
        monkeypatch.setattr(drafts, "now", lambda delay=delay: written.updated_at + delay)
        request = visitor()
        draft = await find_draft(request, "mss", Kept)
        assert await save_draft(request, "mss", dataclasses.replace(draft, text=text),
                                if_unchanged=if_unchanged)
        row = await stored_row()
        assert typed(Kept, row.data) == Kept(text=text)
        renewed = written.updated_at + delay + drafts.DRAFT_IDLE_LIFETIME
        assert row.expires_at == (renewed if text == "later" else written.expires_at)


async def test_a_draft_deleted_after_its_read_is_written_again(db):
    request = visitor()
    await save_draft(request, "mss", Kept(text="first"))
    await RegistrationDraft.all().delete()  # e.g. another tab restarted the registration
    await save_draft(request, "mss", Kept(text="again"))
    assert typed(Kept, (await stored_row()).data) == Kept(text="again")


LATER = pytest.mark.parametrize("later", [False, True], ids=["soon after its write", "later"])


@LATER
async def test_a_save_if_unchanged_gives_way_to_a_draft_written_since_its_read(
        db, monkeypatch, later):
    """A request served after a later one of the visitor's (two processes) must not write
    back the draft it read over the newer one: neither over a change (its data alone, soon
    after its last write; or the whole row, later), nor over a new draft, nor one deleted."""
    await gives_way(monkeypatch, later)


@LATER
async def test_on_a_sqlite_file_a_save_if_unchanged_gives_way_alike(sqlite_file, monkeypatch,
                                                                    later):
    """The same by the server's own thread's connection."""
    await gives_way(monkeypatch, later)


async def gives_way(monkeypatch, later: bool) -> None:
    await save_draft(visitor(), "mss", Kept(text="read"))
    if later:
        written = (await stored_row()).updated_at
        monkeypatch.setattr(drafts, "now", lambda: written + drafts.DRAFT_REWRITE_AFTER)
    earlier, newer = visitor(), visitor()
    read = await find_draft(earlier, "mss", Kept)
    await find_draft(newer, "mss", Kept)
    assert await save_draft(newer, "mss", Kept(text="newer"))
    assert not await save_draft(earlier, "mss", dataclasses.replace(read, text="older"),
                                if_unchanged=True)
    assert typed(Kept, (await stored_row()).data) == Kept(text="newer")

    await RegistrationDraft.all().delete()
    earlier = visitor()
    assert await find_draft(earlier, "mss", Kept) is None
    await save_draft(visitor(), "mss", Kept(text="newer"))
    assert not await save_draft(earlier, "mss", Kept(text="older"), if_unchanged=True)
    assert typed(Kept, (await stored_row()).data) == Kept(text="newer")

    earlier = visitor()
    await find_draft(earlier, "mss", Kept)
    await RegistrationDraft.all().delete()  # e.g. the registration abandoned meanwhile
    assert not await save_draft(earlier, "mss", Kept(text="older"), if_unchanged=True)
    assert await stored_row() is None


async def test_a_save_if_unchanged_writes_a_new_draft_where_there_is_none(db):
    request = visitor()
    assert await find_draft(request, "espace-prive", Kept) is None
    assert await save_draft(request, "espace-prive", Kept(text="new"), if_unchanged=True)
    assert await find_draft(visitor(), "espace-prive", Kept) == Kept(text="new")
