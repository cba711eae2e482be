"""``espace mail list|retry|worker``: show the outbox, re-queue dead mail, deliver.

Messages follow the operator's locale (LANG), as the other commands do. Exit status: 0 done,
1 some of what was asked could not be done, 2 nothing done (an error).
"""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from web.i18n import gettext as _
from web.i18n import use_language
from web.mail.outbox import (
    DEAD,
    PENDING,
    SECRET_LOST,
    SENT,
    recent_mail,
    retry_dead,
    retry_mail,
)
from web.operations.console import cli_language, fail, load_settings, run

app = typer.Typer(help="Show, retry and deliver the mail outbox.", no_args_is_help=True)
out = Console(highlight=False, soft_wrap=True)


@app.command("list")
def list_mail(
    status: str = typer.Option(None, help="only this status: pending, sent or dead"),
    limit: int = typer.Option(50, min=1, max=10_000, help="how many, newest first"),
) -> None:
    """List the latest mail of the outbox, newest first."""
    with use_language(cli_language()):
        if status not in (None, PENDING, SENT, DEAD):
            raise fail(_("Unknown status %(status)s: use pending, sent or dead.", status=status))
        mails = run(load_settings(), lambda: recent_mail(status, limit))
        if not mails:
            typer.echo(_("The outbox is empty."))
            return
        table = Table()
        for title in (_("Id"), _("Status"), _("Tries"), _("Written (UTC)")):
            table.add_column(title, no_wrap=True)
        table.add_column(_("To"), overflow="fold")
        table.add_column(_("Subject"))
        table.add_column(_("Last error"), overflow="fold")
        for mail in mails:
            table.add_row(
                str(mail.id),
                mail.status,
                str(mail.attempts),
                mail.created_at.strftime("%Y-%m-%d %H:%M"),
                mail.to,
                mail.subject,
                mail.last_error,
                style="red" if mail.status == DEAD else None,
            )
        out.print(table)


@app.command()
def retry(
    ids: list[int] = typer.Argument(None, help="ids of dead mails (see `espace mail list`)"),
    dead: bool = typer.Option(False, "--dead", help="every dead mail"),
) -> None:
    """Put dead mail back in the queue (after an SMTP outage, or a fixed address)."""
    with use_language(cli_language()):
        if not ids and not dead:
            raise fail(_("Give the ids of the mails to retry, or --dead for every dead mail."))

        async def work() -> tuple[int, list[tuple[int, str]]]:
            count = await retry_dead() if dead else 0
            return count, [(mail_id, await retry_mail(mail_id)) for mail_id in ids or []]

        count, outcomes = run(load_settings(), work)
        if dead:
            typer.echo(_("Dead mails queued again: %(count)s.", count=count))
        for mail_id, outcome in outcomes:
            if outcome == "retried":
                typer.echo(_("Mail %(id)s queued again.", id=mail_id))
            elif outcome == "missing":
                typer.echo(_("No mail %(id)s.", id=mail_id), err=True)
            elif outcome == SECRET_LOST:
                typer.echo(_("Mail %(id)s carried a link or a password, erased when it failed: "
                             "not sent again (the member asks for a new one).", id=mail_id),
                           err=True)
            elif outcome == PENDING:
                typer.echo(_("Mail %(id)s is already waiting to be sent.", id=mail_id), err=True)
            else:
                typer.echo(_("Mail %(id)s was already sent: not sent again.", id=mail_id), err=True)
        if any(outcome != "retried" for _id, outcome in outcomes):
            raise typer.Exit(1)


@app.command()
def worker(once: bool = typer.Option(False, "--once", help="one pass, then stop")) -> None:
    """Deliver the outbox until interrupted (`espace serve` also runs this worker)."""
    from web.mail.worker import deliver_due, run_worker, smtp_server

    with use_language(cli_language()):
        settings = load_settings()
        try:
            smtp_server(settings)
        except ValueError as error:
            raise fail(str(error)) from None
        if once:
            count = run(settings, lambda: deliver_due(settings))
            typer.echo(_("Mails handled: %(count)s.", count=count))
            return
        typer.echo(_("Delivering the outbox (Ctrl+C to stop)."))
        try:
            run(settings, lambda: run_worker(settings))
        except KeyboardInterrupt:
            typer.echo(_("Stopped."))
