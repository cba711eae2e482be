"""A database locked longer than its busy timeout (an operator command writing while the
server runs, a long transaction; on PostgreSQL a lock timeout, a deadlock, a statement
timeout): a localized 503 with Retry-After, logged once, never a 500."""

from __future__ import annotations

import logging
import os
import sqlite3

import asyncpg
import httpx
import pytest
from tortoise import Tortoise, connections
from tortoise.context import tortoise_test_context

from web.app import create_app
from web.db import MODEL_MODULES, tortoise_config
from web.settings import Settings

on_sqlite = pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")), reason="SQLite's file lock (this run is PostgreSQL)"
)
on_postgres = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="PostgreSQL's locks (this run is SQLite)"
)


@pytest.fixture
async def locked_client(tmp_path):
    """A client of an app on a SQLite file (100 ms busy timeout), and a function that holds
    the file's write lock from another connection, as `espace import-members` would."""
    path = tmp_path / "espace.sqlite3"
    url = f"sqlite://{path}?busy_timeout=100"
    async with tortoise_test_context(MODEL_MODULES, db_url=url):
        app = create_app(Settings(env="development", database_url=url), init_db=False)
        other = sqlite3.connect(path, isolation_level=None)
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 51000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client, other
        other.close()


@on_sqlite
async def test_a_locked_database_answers_503_with_retry_after(locked_client, caplog):
    client, other = locked_client
    assert (await client.get("/mss/register")).status_code == 200
    other.execute("BEGIN IMMEDIATE")
    other.execute("DELETE FROM registration_draft")
    caplog.set_level(logging.WARNING, logger="espace")
    for language, title in (("fr", "Le service est très sollicité"), ("en", "The service is busy")):
        client.cookies.clear()  # a new visitor: the form's page saves a draft
        page = await client.get("/mss/register", headers={"Accept-Language": language})
        assert page.status_code == 503 and page.headers["retry-after"] == "5"
        assert f'<html lang="{language}"' in page.text and title in page.text
        assert page.headers["x-frame-options"] == "DENY"
    client.cookies.clear()
    partial = await client.get("/mss/register", headers={
        "HX-Request": "true", "HX-Request-Type": "partial", "Accept-Language": "en"})
    assert partial.status_code == 503 and partial.headers["hx-retarget"] == "#main"
    busy = [r for r in caplog.records if "busy" in r.getMessage()]
    assert len(busy) == 3 and all(r.levelno == logging.WARNING and not r.exc_info for r in busy)
    other.execute("ROLLBACK")
    assert (await client.get("/mss/register")).status_code == 200


@on_postgres
async def test_a_postgresql_lock_timeout_answers_503_with_retry_after(client, caplog):
    """An operator's transaction holds the drafts' table (a maintenance LOCK, a long
    migration) past the server's ``lock_timeout``: the member is asked to retry."""
    connection = connections.get("default")
    database = connection.database
    server = os.environ["TEST_DATABASE_URL"].rsplit("/", 1)[0]
    other = await asyncpg.connect(f"{server}/{database}")
    try:
        await other.execute(f'ALTER DATABASE "{database}" SET lock_timeout = \'100ms\'')
        await connection._pool.expire_connections()  # new connections read the setting
        await other.execute("BEGIN; LOCK TABLE registration_draft IN ACCESS EXCLUSIVE MODE")
        caplog.set_level(logging.WARNING, logger="espace")
        page = await client.get("/mss/register", headers={"Accept-Language": "en"})
        assert page.status_code == 503 and page.headers["retry-after"] == "5"
        assert "The service is busy" in page.text
        assert [r for r in caplog.records if "busy" in r.getMessage() and not r.exc_info]
        await other.execute("ROLLBACK")
        assert (await client.get("/mss/register")).status_code == 200
    finally:
        await other.close()


@pytest.mark.postgresql
@pytest.mark.parametrize(("query", "bound"), [("", "5s"), ("?lock_timeout=250ms", "250ms")])
async def test_the_application_bounds_its_lock_waits_on_postgresql(query, bound):
    """Left to the server's default (none), a request would wait on a lock for as long as an
    operator's transaction holds it: the application's own connections bound the wait (5 s,
    ``?lock_timeout=`` in DATABASE_URL changes it), then the page says the service is busy."""
    await Tortoise.init(config=tortoise_config(os.environ["TEST_DATABASE_URL"] + query))
    try:
        rows = await connections.get("default").execute_query_dict("SHOW lock_timeout")
    finally:
        await Tortoise.close_connections()
    assert rows == [{"lock_timeout": bound}]
