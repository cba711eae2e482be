"""The operators' command line: `espace serve|migrate|demo|…`."""

from __future__ import annotations

import asyncio
import logging.config

import typer

from web.db import ensure_migrated, open_sqlite_file, tortoise_config
from web.logs import log_config
from web.operations import commands, letters, mail
from web.operations.console import database_errors, load_settings

app = typer.Typer(help="Espace: self-registration portal for members of a fund.",
                  no_args_is_help=True)


@app.command()
def migrate() -> None:
    """Apply the database migrations."""
    from web.db import migrate as run

    settings = load_settings()
    with database_errors():
        asyncio.run(run(settings.database_url))
    typer.echo("database is up to date")


async def _check_database(database_url: str) -> None:
    from tortoise import Tortoise

    open_sqlite_file(database_url, create=False)
    await Tortoise.init(config=tortoise_config(database_url))
    try:
        await ensure_migrated(database_url)
    finally:
        await Tortoise.close_connections()


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="address to listen on"),
    port: int = typer.Option(8000, min=1, max=65535, help="port to listen on"),
    workers: int = typer.Option(
        1, min=1, help="worker processes (use PostgreSQL for more than one)"
    ),
) -> None:
    """Serve the application (and deliver the mail outbox)."""
    import uvicorn

    settings = load_settings()
    if workers > 1 and settings.database_url.startswith("sqlite"):
        typer.secho("several workers need PostgreSQL (DATABASE_URL)", fg="red", err=True)
        raise typer.Exit(2)
    with database_errors():
        asyncio.run(_check_database(settings.database_url))
    config = log_config(settings)
    logging.config.dictConfig(config)  # so that even this first line is JSON in production
    logging.getLogger("espace").info("Espace on http://%s:%s/ (%s)", host, port, settings.env)
    uvicorn.run("web.app:serve_app", factory=True, host=host, port=port, workers=workers,
                proxy_headers=False,  # the app reads them (ESPACE_PROXY_ADDRESSES)
                log_config=config, access_log=False,  # web/monitoring.py logs
                server_header=False)  # "server: uvicorn" tells attackers and costs bytes


commands.register(app)  # demo, import-members, unlock, purge
app.add_typer(letters.app, name="letters")  # list, export
app.add_typer(mail.app, name="mail")  # list, retry, worker

if __name__ == "__main__":
    app()
