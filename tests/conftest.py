"""Shared fixtures: an empty database per test (SQLite in memory, or PostgreSQL when
TEST_DATABASE_URL is set), the application, and an httpx client over ASGI.

One pytest process runs against one database: Tortoise caches each model's SQL per
dialect, so ``make test`` runs this suite once per database. On PostgreSQL the process
(each xdist worker) claims one database of a pool kept between runs (``<name>_run<n>``, held
by an advisory lock) and makes its schema anew; after each test its rows are deleted, its
sequences restarted and its settings reset, which is what a new database would give the next
test, without the cost of creating one.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from typing import NamedTuple
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
from http_helpers import csrf_from, post_form
from jinja2 import BytecodeCache
from passlib.hash import argon2
from tortoise import connections
from tortoise.backends.base.config_generator import generate_config
from tortoise.context import TortoiseContext
from tortoise.utils import get_schema_sql

from web import app as web_app
from web import rendering
from web.accounts import hashing, service
from web.app import create_app
from web.db import MODEL_MODULES
from web.settings import Settings

__all__ = ["csrf_from", "post_form"]  # re-exported for tests written against conftest

# argon2id at its lowest cost: what the tests of hashing itself do not test is its price.
CHEAP_HASHER = argon2.using(type="ID", memory_cost=8, rounds=1, parallelism=1)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "production_hashing: hash at the production argon2 cost (the tests of its "
        "parameters and price); every other test hashes at the lowest cost")
    config.addinivalue_line(
        "markers", "postgresql: opens TEST_DATABASE_URL's server itself (skipped without it)")


def pytest_collection_modifyitems(config, items):
    """The PostgreSQL run is for what the database does: the tests that use neither the
    ``db`` fixture nor PostgreSQL itself give the same result whatever TEST_DATABASE_URL says,
    and run in the SQLite run only. Without TEST_DATABASE_URL, the PostgreSQL tests skip."""
    on_postgresql = bool(os.environ.get("TEST_DATABASE_URL"))
    kept, left = [], []
    for item in items:
        postgresql = item.get_closest_marker("postgresql") is not None
        if not on_postgresql and postgresql:
            item.add_marker(pytest.mark.skip(reason="needs TEST_DATABASE_URL"))
        uses_database = postgresql or "db" in getattr(item, "fixturenames", ())
        (kept if uses_database or not on_postgresql else left).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


@pytest.fixture(autouse=True)
def cheap_hashing(request, monkeypatch):
    if request.node.get_closest_marker("production_hashing"):
        return
    monkeypatch.setattr(hashing, "HASHER", CHEAP_HASHER)
    monkeypatch.setattr(service, "DUMMY_HASH", CHEAP_HASHER.hash(os.urandom(16).hex()))


class _CompiledTemplates(BytecodeCache):
    """Compiled templates kept for the whole run: every application the tests create compiles
    each page once (the applications' environments are configured alike; only their globals
    differ, and compiled code holds none)."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


@pytest.fixture(scope="session", autouse=True)
def compiled_templates():
    compiled = _CompiledTemplates()

    def make_environment():
        env = rendering.make_environment()
        env.bytecode_cache = compiled
        return env

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(web_app, "make_environment", make_environment)
        yield


class TestDatabase(NamedTuple):
    url: str
    emptying: str  # on PostgreSQL, the SQL run after each test
    schema: str = ""  # on SQLite, the SQL that makes each test's new database


# The database's own settings (ALTER DATABASE … SET) put back, when a test changed them.
RESET_SETTINGS = """DO $$ BEGIN
  IF EXISTS (SELECT FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase
             WHERE d.datname = current_database()) THEN
    EXECUTE format('ALTER DATABASE %I RESET ALL', current_database());
  END IF;
END $$;"""


async def _emptying(client) -> str:
    """What gives the next test an empty database: every row deleted (foreign keys not
    checked, whatever the order), every sequence restarted, the settings reset. Deleting
    the few rows a test wrote is much cheaper than TRUNCATE, which makes new files."""
    tables = await client.execute_query_dict(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    sequences = await client.execute_query_dict(
        "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
    deletes = "".join(f'DELETE FROM "{row["tablename"]}"; ' for row in tables)  # noqa: S608
    restarts = ", ".join(f"setval('\"{row['sequencename']}\"', 1, false)" for row in sequences)
    return (f"BEGIN; SET LOCAL session_replication_role = replica; {deletes}"
            f"{f'SELECT {restarts}; ' if restarts else ''}COMMIT; {RESET_SETTINGS}")


def _postgresql(url: str, name: str) -> str:
    """The URL of database ``name`` on the server of ``url``, for asyncpg."""
    return urlunsplit(urlsplit(url)._replace(scheme="postgresql", path=f"/{name}"))


async def _claim_database(admin: asyncpg.Connection, prefix: str) -> str:
    """A database of this server's pool of test databases (``<prefix>_run<n>``) that no
    other run holds, held until ``admin`` closes (a crashed run lets go of it). Kept from run
    to run: creating one costs a copy of the template, dropping one a checkpoint."""
    for number in range(1, 100):
        name = f"{prefix}_run{number}"
        if await admin.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", name):
            if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
                await admin.execute(f'CREATE DATABASE "{name}"')
            return name
    raise RuntimeError(f"every database {prefix}_run<n> is in use")


def _context_config(url: str) -> dict:
    return generate_config(url, app_modules={"models": MODEL_MODULES})


@pytest.fixture(scope="session")
async def test_database():
    """SQLite: a new database in memory for each test, made by the SQL of the models' schema
    (generated once: the same for every test). PostgreSQL: one database for this process
    (each xdist worker), its schema made anew, its settings reset."""
    server = os.environ.get("TEST_DATABASE_URL", "")
    if not server:
        async with TortoiseContext() as ctx:
            await ctx.init(config=_context_config("sqlite://:memory:"))
            schema = get_schema_sql(connections.get("default"), safe=False)
        yield TestDatabase("sqlite://:memory:", "", schema)
        return
    parts = urlsplit(server)
    admin = await asyncpg.connect(_postgresql(server, "postgres"))
    try:
        name = await _claim_database(admin, parts.path.strip("/"))
        url = urlunsplit(parts._replace(path=f"/{name}"))
        async with TortoiseContext() as ctx:
            await ctx.init(config=_context_config(url))
            client = connections.get("default")
            await client.execute_script('DROP SCHEMA public CASCADE; CREATE SCHEMA public; '
                                        f'ALTER DATABASE "{name}" RESET ALL')
            await ctx.generate_schemas(safe=False)
            emptying = await _emptying(client)
        yield TestDatabase(url, emptying)
    finally:
        await admin.close()


@pytest.fixture
async def db(test_database):
    if not test_database.emptying:
        async with TortoiseContext() as ctx:
            await ctx.init(config=_context_config(test_database.url))
            await connections.get("default").execute_script(test_database.schema)
            yield ctx
        return
    async with TortoiseContext() as ctx:
        await ctx.init(config=_context_config(test_database.url))
        await connections.get("default").create_connection(with_db=True)  # the pool, open
        try:
            yield ctx
        finally:
            await connections.get("default").execute_script(test_database.emptying)


@pytest.fixture
def settings(test_database) -> Settings:
    return Settings(env="development", database_url=test_database.url)


@pytest.fixture
def app(db, settings):
    return create_app(settings, init_db=False)


@pytest.fixture
async def client(app):
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 51000))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", follow_redirects=False
    ) as http:
        yield http


WORKERS_FUZZ_STATUSES: Counter = Counter()  # on xdist's controller: what its workers saw


def _fuzz_statuses() -> Counter:
    """The statuses the fuzz suite (tests/test_fuzz.py) saw in this process, if it ran here."""
    fuzz = sys.modules.get("test_fuzz")
    return fuzz.STATUSES if fuzz else Counter()


def pytest_sessionfinish(session):
    """An xdist worker hands its fuzz statuses to the controller, which reports them."""
    if hasattr(session.config, "workeroutput"):
        session.config.workeroutput["fuzz_statuses"] = dict(_fuzz_statuses())


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    WORKERS_FUZZ_STATUSES.update(getattr(node, "workeroutput", {}).get("fuzz_statuses", {}))


def pytest_terminal_summary(terminalreporter):
    """The fuzz suite's status counts, when it ran."""
    statuses = WORKERS_FUZZ_STATUSES + _fuzz_statuses()
    if statuses:
        counts = ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items()))
        terminalreporter.write_line(f"fuzz: {statuses.total()} requests, statuses {counts}")
