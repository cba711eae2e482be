"""Shared fixtures: a fresh database per test (SQLite, or PostgreSQL when TEST_DATABASE_URL
is set), the application, and an httpx client over ASGI.

One pytest process runs against one database: Tortoise caches each model's SQL per
dialect, so ``make test`` runs this suite once per database.
"""

from __future__ import annotations

import os
import sys
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from http_helpers import csrf_from, post_form
from tortoise.context import tortoise_test_context

from web.app import create_app
from web.db import MODEL_MODULES
from web.settings import Settings

__all__ = ["csrf_from", "post_form"]  # re-exported for tests written against conftest


def test_database_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url:
        return "sqlite://:memory:"
    parts = urlsplit(url)
    # Each test gets its own database, named after the configured one.
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_{}"))


@pytest.fixture
async def db():
    async with tortoise_test_context(MODEL_MODULES, db_url=test_database_url()) as ctx:
        yield ctx


@pytest.fixture
def settings() -> Settings:
    return Settings(env="development", database_url=test_database_url())


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


def pytest_terminal_summary(terminalreporter):
    """The fuzz suite's status counts, when it ran."""
    fuzz = sys.modules.get("test_fuzz")
    if fuzz and fuzz.STATUSES:
        terminalreporter.write_line(fuzz.summary())
