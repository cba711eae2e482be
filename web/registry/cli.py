"""Operators' registry commands: ``espace demo|import-members|unlock|purge``.

Messages go through the catalogs; the language follows the operator's locale (LANG).
Exit status: 0 done, 1 done but some rows were rejected, 2 nothing done (an error).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import asyncpg
import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from tortoise import Tortoise
from tortoise.exceptions import BaseORMException

from web.db import DatabaseNotReady, is_sqlite, open_sqlite_file, sqlite_path, tortoise_config
from web.i18n import gettext as _
from web.i18n import negotiate, use_language
from web.settings import Settings

T = TypeVar("T")
DATABASE_ERRORS = (
    BaseORMException,
    OSError,
    sqlite3.Error,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def cli_language() -> str:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return negotiate(value.split(".")[0].replace("_", "-")) or "en"
    return "en"


def fail(message: str) -> typer.Exit:
    err.print(message, style="red", markup=False)
    return typer.Exit(2)


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


def _settings() -> Settings:
    from web.cli import load_settings

    return load_settings()


def demo() -> None:
    """Load the demo registry and demo accounts (idempotent)."""
    from web.registry.demo import DEMO_PASSWORD, load_demo

    with use_language(cli_language()):
        settings = _settings()
        if not settings.development:
            raise fail(_("The demo registry is only for development (ESPACE_ENV=development)."))
        result = run(settings, load_demo)
        members = result.members
        typer.echo(
            _(
                "Demo members: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.",
                created=members.created,
                updated=members.updated,
                unchanged=members.unchanged,
            )
        )
        typer.echo(
            _(
                "Demo accounts: %(created)s created, %(updated)s updated. "
                "Their password: %(password)s",
                created=result.accounts_created,
                updated=result.accounts_updated,
                password=DEMO_PASSWORD,
            )
        )


def import_members(
    file: Path = typer.Argument(..., help="registry CSV file (columns: web/registry/importer.py)"),
) -> None:
    """Import the registry from a CSV file (streamed, idempotent)."""
    from web.registry.importer import ImportFailed, Rejection
    from web.registry.importer import import_members as run_import

    with use_language(cli_language()):
        settings = _settings()
        if not file.is_file():
            raise fail(_("No such file: %(path)s", path=str(file)))
        progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=err,
            transient=True,
        )
        task = progress.add_task(_("Importing"), total=file.stat().st_size)

        def on_reject(rejection: Rejection) -> None:
            progress.console.print(
                _("line %(line)s: %(reason)s", line=rejection.line, reason=rejection.reason),
                markup=False,
                style="yellow",
            )

        def work():
            return run_import(
                file, on_progress=lambda n: progress.advance(task, n), on_reject=on_reject
            )

        try:
            with progress:
                result = run(settings, work)
        except ImportFailed as error:
            raise fail(str(error)) from None
        typer.echo(
            _(
                "%(rows)s rows: %(created)s created, %(updated)s updated, "
                "%(unchanged)s unchanged, %(rejected)s rejected.",
                rows=result.rows,
                created=result.created,
                updated=result.updated,
                unchanged=result.unchanged,
                rejected=result.rejected_count,
            )
        )
        if result.rejected_count:
            raise typer.Exit(1)


def unlock(
    portal: str = typer.Option(..., help="portal id: mss or espace-prive"),
    identifier: str = typer.Option(..., help="the member's identifier (UID, NIR or SIRET)"),
    client: str = typer.Option(None, help="also unlock this client address"),
) -> None:
    """Clear a member's identity-verification lockout and log-in back-off."""
    from web.registry.maintenance import unlock as run_unlock
    from web.registry.validation import PORTALS
    from web.security import audit

    with use_language(cli_language()):
        settings = _settings()
        if portal not in PORTALS:
            raise fail(
                _("Unknown portal %(portal)s (expected mss or espace-prive).", portal=portal)
            )
        if not identifier.strip():
            raise fail(_("The identifier is required."))
        audit.configure(settings.secret_key)

        async def work() -> dict[str, int]:
            cleared = await run_unlock(portal, identifier, client)
            await audit.audit(
                "unlock", portal=portal, subject=identifier, client=client or "", by="operator"
            )
            return cleared

        labels = {
            "verification": _("identity verification"),
            "login": _("log-in"),
            "client": _("client address"),
        }
        for kind, count in run(settings, work).items():
            typer.echo(_("%(what)s: %(count)s failures cleared", what=labels[kind], count=count))


def purge() -> None:
    """Delete expired drafts, old tokens, expired sessions, old attempt counters, audit
    events over a year old, and sent or failed mail over a day old."""
    from web.registry.maintenance import purge as run_purge

    with use_language(cli_language()):
        counts = run(_settings(), run_purge)
        labels = {
            "drafts": _("expired registration drafts"),
            "tokens": _("old link tokens"),
            "sessions": _("expired sessions"),
            "attempt_counters": _("old attempt counters"),
            "audit_events": _("audit events over a year old"),
            "mails": _("sent and failed mails over a day old"),
        }
        for kind, count in counts.items():
            typer.echo(_("%(what)s: %(count)s deleted", what=labels[kind], count=count))


def register(app: typer.Typer) -> None:
    app.command()(demo)
    app.command("import-members")(import_members)
    app.command()(unlock)
    app.command()(purge)
