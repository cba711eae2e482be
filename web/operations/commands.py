"""The registry and housekeeping commands: ``espace demo|import-members|unlock|purge``.

Messages go through the catalogs; the language follows the operator's locale (LANG).
Exit status: 0 done, 1 done but some rows were rejected, 2 nothing done (an error).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import typer
from babel.numbers import format_decimal
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from web.i18n import current_language, use_language
from web.i18n import gettext as _
from web.operations.console import cli_language, err, fail, load_settings, run


def demo() -> None:
    """Load the demo registry and demo accounts (idempotent)."""
    from web.operations.demo import DEMO_PASSWORD, load_demo

    with use_language(cli_language()):
        settings = load_settings()
        if not settings.development:
            raise fail(_("The demo registry is only for development (ESPACE_ENV=development)."))
        result = run(settings, lambda: load_demo(settings))
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


class RowRateColumn(ProgressColumn):
    """Rows read per second: the file's rate in bytes over its bytes per row so far (a
    record's size varies little; the row count of the file is not known before the end)."""

    def __init__(self) -> None:
        super().__init__()
        self.language = current_language.get()  # rendered in rich's thread, not this context
        self.unit = _("rows/s")

    def render(self, task: Task) -> Text:
        speed, rows = task.finished_speed or task.speed, task.fields.get("rows", 0)
        if not (speed and rows and task.completed):
            return Text(f"? {self.unit}", style="progress.data.speed")
        rate = format_decimal(speed * rows / task.completed, "#,##0", locale=self.language)
        return Text(f"{rate} {self.unit}", style="progress.data.speed")


def import_progress(
    size: int, *, console: Console = err, get_time: Callable[[], float] | None = None
) -> tuple[Progress, Callable[[int, int], None]]:
    """The import's progress bar over the file's ``size`` bytes: percentage, rows per
    second, time left; and the function the importer calls with bytes and rows read."""
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        RowRateColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        get_time=get_time,
    )
    task = progress.add_task(_("Importing"), total=size, rows=0)
    rows_read = 0

    def advance(read: int, rows: int) -> None:
        nonlocal rows_read
        rows_read += rows
        progress.update(task, advance=read, rows=rows_read)

    return progress, advance


def import_members(
    file: Path = typer.Argument(..., help="registry CSV file (columns: web/registry/importer.py)"),
) -> None:
    """Import the registry from a CSV file (streamed, idempotent)."""
    from web.registry.importer import ImportFailed, Rejection
    from web.registry.importer import import_members as run_import

    with use_language(cli_language()):
        settings = load_settings()
        if not file.is_file():
            raise fail(_("No such file: %(path)s", path=str(file)))
        progress, advance = import_progress(file.stat().st_size)

        def on_reject(rejection: Rejection) -> None:
            progress.console.print(
                _("line %(line)s: %(reason)s", line=rejection.line, reason=rejection.reason),
                markup=False,
                style="yellow",
            )

        def work():
            return run_import(file, on_progress=advance, on_reject=on_reject)

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
    from web.operations.housekeeping import unlock as run_unlock
    from web.registry.validation import PORTALS
    from web.security import audit

    with use_language(cli_language()):
        settings = load_settings()
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
    from web.operations.housekeeping import purge as run_purge

    with use_language(cli_language()):
        counts = run(load_settings(), run_purge)
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
