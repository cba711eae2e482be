"""Database configuration: Tortoise on SQLite (WAL) by default, PostgreSQL via DATABASE_URL."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MODEL_MODULES = [
    "web.registry.models",
    "web.accounts.models",
    "web.security.models",
    "web.mail.models",
    "web.portals.models",
]
MIGRATIONS_MODULE = "web.migrations"


def is_sqlite(database_url: str) -> bool:
    return database_url.startswith("sqlite:")


def with_query(database_url: str, **params: str) -> str:
    parts = urlsplit(database_url)
    query = dict(parse_qsl(parts.query))
    query.update(params)
    return urlunsplit(parts._replace(query=urlencode(query)))


def tortoise_config(database_url: str, *, for_migrations: bool = False) -> dict:
    """The Tortoise config dict. Tortoise's SQLite client runs in WAL mode by default;
    migrations run with foreign keys off because a table rebuild would otherwise
    cascade-delete child rows."""
    url = database_url
    if is_sqlite(url) and for_migrations:
        url = with_query(url, foreign_keys="OFF")
    return {
        "connections": {"default": url},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def migrate(database_url: str) -> None:
    """Apply every committed migration (creates the SQLite file's folder when needed)."""
    from pathlib import Path

    from tortoise import Tortoise
    from tortoise.migrations.api.migrate import migrate as run_migrations

    if is_sqlite(database_url):
        path = urlsplit(database_url).path or database_url.removeprefix("sqlite://")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    try:
        await run_migrations(config=tortoise_config(database_url, for_migrations=True))
    finally:
        await Tortoise.close_connections()


# For Tortoise's own command line (`tortoise makemigrations`), named in pyproject.toml.
TORTOISE_ORM = tortoise_config("sqlite://:memory:", for_migrations=True)
