"""The operators' command line: `espace serve|migrate|demo|…`."""

from __future__ import annotations

import asyncio

import typer

from web.mail.cli import mail_app
from web.portals.espace_prive import letters_cli
from web.registry import cli as registry_cli
from web.settings import Settings, UnsafeSettings

app = typer.Typer(help="Espace: self-registration portal for members of a fund.",
                  no_args_is_help=True)


def load_settings() -> Settings:
    try:
        return Settings.from_env()
    except UnsafeSettings as error:
        typer.secho(str(error), fg="red", err=True)
        raise typer.Exit(2) from None


@app.command()
def migrate() -> None:
    """Apply the database migrations."""
    from web.db import migrate as run

    settings = load_settings()
    asyncio.run(run(settings.database_url))
    typer.echo("database is up to date")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="address to listen on"),
    port: int = typer.Option(8000, help="port to listen on"),
    workers: int = typer.Option(1, help="worker processes (use PostgreSQL for more than one)"),
) -> None:
    """Serve the application (and deliver the mail outbox)."""
    import uvicorn

    settings = load_settings()
    if workers > 1 and settings.database_url.startswith("sqlite"):
        typer.secho("several workers need PostgreSQL (DATABASE_URL)", fg="red", err=True)
        raise typer.Exit(2)
    typer.echo(f"Espace on http://{host}:{port}/ ({settings.env})")
    uvicorn.run("web.app:serve_app", factory=True, host=host, port=port, workers=workers,
                proxy_headers=settings.trusted_proxies, log_level="info")


registry_cli.register(app)  # demo, import-members, unlock, purge
app.add_typer(letters_cli.app, name="letters")  # list, export
app.add_typer(mail_app, name="mail")  # list, retry, worker

if __name__ == "__main__":
    app()
