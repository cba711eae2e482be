"""The registry and housekeeping commands: ``espace demo|import-members|unlock|purge``.

Messages go through the catalogs; the language follows the operator's locale (LANG).
Exit status: 0 done, 1 done but some rows were rejected, 2 nothing done (an error).
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from web.i18n import gettext as _
from web.i18n import use_language
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
