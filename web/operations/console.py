"""What every ``espace`` command shares: the settings, the operator's language, failing with
a message, and the database opened for the time of one task."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import asyncpg
import typer
from rich.console import Console
from tortoise import Tortoise
from tortoise.exceptions import BaseORMException

from web.db import DatabaseNotReady, is_sqlite, open_sqlite_file, sqlite_path, tortoise_config
from web.i18n import gettext as _
from web.i18n import negotiate
from web.settings import Settings, UnsafeSettings

T = TypeVar("T")
DATABASE_ERRORS = (
    BaseORMException,
    OSError,
    sqlite3.Error,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def load_settings() -> Settings:
    try:
        return Settings.from_env()
    except UnsafeSettings as error:
        typer.secho(str(error), fg="red", err=True)
        raise typer.Exit(2) from None


def cli_language() -> str:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return negotiate(value.split(".")[0].replace("_", "-")) or "en"
    return "en"


def fail(message: str) -> typer.Exit:
    err.print(message, style="red", markup=False)
    return typer.Exit(2)


@contextlib.contextmanager
def database_errors():
    """A database that cannot be opened or migrated: a clear message and exit status 2."""
    try:
        yield
    except (DatabaseNotReady, *DATABASE_ERRORS) as error:
        typer.secho(f"database: {error}", fg="red", err=True)
        raise typer.Exit(2) from None


def run(settings: Settings, work: Callable[[], Awaitable[T]]) -> T:
    """Run ``work`` with the database open, then close it."""

    async def main() -> T:
        await Tortoise.init(config=tortoise_config(settings.database_url))
        try:
            return await work()
        finally:
            await Tortoise.close_connections()

    path = sqlite_path(settings.database_url)
    if is_sqlite(settings.database_url) and path != ":memory:" and not Path(path).is_file():
        raise fail(_("No database at %(path)s: run `espace migrate` first.", path=path))
    try:
        open_sqlite_file(settings.database_url, create=False)  # one Tortoise cannot open hangs
    except DatabaseNotReady as error:
        raise fail(_("Database error: %(error)s", error=str(error))) from None
    try:
        return asyncio.run(main())
    except DATABASE_ERRORS as error:
        raise fail(
            _("Database error: %(error)s (has `espace migrate` been run?)", error=str(error))
        ) from None
