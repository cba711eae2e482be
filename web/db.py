"""Database configuration: Tortoise on SQLite (WAL) by default, PostgreSQL via DATABASE_URL."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

MODEL_MODULES = [
    "web.registry.models",
    "web.accounts.models",
    "web.security.models",
    "web.mail.models",
    "web.portals.models",
]
MIGRATIONS_MODULE = "web.migrations"
LOCK_TIMEOUT = "5s"  # PostgreSQL: the longest a statement waits on a lock
WAL_SIZE_LIMIT = 4 * 1024 * 1024  # SQLite: about what WAL autocheckpoint lets it reach (1000 pages)


class DatabaseNotReady(RuntimeError):
    """The database cannot be opened, or lacks migrations: say what to do."""


def is_sqlite(database_url: str) -> bool:
    return database_url.startswith("sqlite:")


def sqlite_path(database_url: str) -> str:
    """The file of a SQLite URL, read as Tortoise does: everything after ``sqlite://``
    (``sqlite://data/x`` is relative, ``sqlite:///tmp/x`` absolute)."""
    return database_url.removeprefix("sqlite://").split("?", 1)[0]


def with_query(database_url: str, **params: str) -> str:
    """The URL with parameters added, its path left exactly as written."""
    return database_url + ("&" if "?" in database_url else "?") + urlencode(params)


def tortoise_config(database_url: str, *, for_migrations: bool = False) -> dict:
    """The Tortoise config dict. Tortoise's SQLite client runs in WAL mode by default;
    migrations run with foreign keys off because a table rebuild would otherwise
    cascade-delete child rows. SQLite commits with ``synchronous=NORMAL`` unless the URL
    says otherwise: in WAL it is never corrupt, a power cut (not a crash of the server) may
    lose the last commits, and a commit no longer waits an fsync (milliseconds; a draft is
    saved at every pause in typing). After a checkpoint the WAL keeps the size autocheckpoint
    lets it reach (``WAL_SIZE_LIMIT``), not Tortoise's 16 KiB: a commit that grows the file
    again costs a fifth more than one that writes over it."""
    url = database_url
    query = url.partition("?")[2]
    if is_sqlite(url) and "synchronous=" not in query:
        url = with_query(url, synchronous="NORMAL")
    if is_sqlite(url) and "journal_size_limit=" not in query:
        url = with_query(url, journal_size_limit=str(WAL_SIZE_LIMIT))
    if is_sqlite(url) and for_migrations:
        url = with_query(url, foreign_keys="OFF")
    return {
        "connections": {"default": url if is_sqlite(url) else _postgresql_connection(url)},
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


def _postgresql_connection(database_url: str) -> dict:
    """PostgreSQL lets a statement wait on a lock for as long as its holder keeps it (an
    operator's long transaction, a migration): every connection of the application bounds the
    wait (``lock_timeout``, 5 s unless the URL's ``?lock_timeout=`` says otherwise), past which
    the page says the service is busy."""
    from tortoise.backends.base.config_generator import expand_db_url

    connection = expand_db_url(database_url)
    credentials = connection["credentials"]
    lock_timeout = credentials.pop("lock_timeout", LOCK_TIMEOUT)
    credentials["server_settings"] = {"lock_timeout": lock_timeout}
    return connection


def open_sqlite_file(database_url: str, *, create: bool) -> None:
    """Make sure the SQLite file can be opened (its folder made when ``create``), before
    Tortoise tries: a file it cannot open leaves its connection lock held, and waits for ever."""
    import sqlite3

    path = sqlite_path(database_url)
    if not is_sqlite(database_url) or path.startswith(":memory:"):
        return
    if create:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    elif not Path(path).is_file():
        raise DatabaseNotReady(f"no database at {path}: run `espace migrate` first")
    try:
        sqlite3.connect(path, timeout=5).close()
    except sqlite3.Error as error:
        raise DatabaseNotReady(f"cannot open the database at {path}: {error}") from None


async def migrate(database_url: str) -> None:
    """Apply every committed migration (creates the SQLite file's folder when needed)."""
    from tortoise import Tortoise
    from tortoise.migrations.api.migrate import migrate as run_migrations

    open_sqlite_file(database_url, create=True)
    try:
        await run_migrations(config=tortoise_config(database_url, for_migrations=True))
    finally:
        await Tortoise.close_connections()


async def ensure_migrated(database_url: str) -> None:
    """Refuse to serve a database that lacks committed migrations (Tortoise is open)."""
    pending = await pending_migrations(database_url)
    if pending:
        raise DatabaseNotReady(
            f"the database lacks {len(pending)} migration(s) ({', '.join(pending)}): "
            "run `espace migrate`"
        )


async def pending_migrations(database_url: str) -> list[str]:
    """The committed migrations not applied yet to the open database (all of them when the
    database was never migrated)."""
    from tortoise.connection import get_connection
    from tortoise.migrations.executor import MigrationExecutor

    apps = tortoise_config(database_url)["apps"]
    executor = MigrationExecutor(get_connection("default"), apps)
    try:
        steps = await executor.plan()
    except Exception as error:  # noqa: BLE001 - no migrations table yet, or no database at all
        raise DatabaseNotReady(
            f"the database is not migrated ({error}): run `espace migrate`"
        ) from None
    return [f"{step.migration.app_label}.{step.migration.name}" for step in steps]


# For Tortoise's own command line (`tortoise makemigrations`), named in pyproject.toml.
TORTOISE_ORM = tortoise_config("sqlite://:memory:", for_migrations=True)


def in_dialect(connection, statement: str) -> str:
    """A statement written with ``?`` placeholders in the connection's (PostgreSQL numbers
    them): for the few hot statements that go by plain SQL."""
    if connection.capabilities.dialect != "postgres":
        return statement
    parts = statement.split("?")
    return "".join(f"{part}${n}" for n, part in enumerate(parts[:-1], 1)) + parts[-1]
