"""The committed migrations match the models and apply on a fresh database."""

from pathlib import Path

from tortoise.cli.cli import tortoise_cli_context
from tortoise.migrations.autodetector import MigrationAutodetector

from web.db import TORTOISE_ORM, migrate


async def test_models_have_no_unmigrated_changes():
    async with tortoise_cli_context(TORTOISE_ORM) as ctx:
        apps = {label: dict(config) for label, config in TORTOISE_ORM["apps"].items()}
        writers = await MigrationAutodetector(ctx.apps, apps).changes()
    pending = [op for writer in writers for op in writer.operations]
    assert not pending, (
        "models changed without a migration: "
        "rm web/migrations/0001_initial.py && .venv/bin/tortoise makemigrations"
    )


async def test_migrations_apply_to_a_fresh_sqlite_file(tmp_path: Path):
    url = f"sqlite://{tmp_path / 'sub' / 'espace.sqlite3'}"
    await migrate(url)
    await migrate(url)  # idempotent
    import sqlite3

    tables = {row[0] for row in sqlite3.connect(tmp_path / "sub" / "espace.sqlite3").execute(
        "select name from sqlite_master where type='table'")}
    assert {"member", "account", "token", "session", "outbox_mail", "registration_draft",
            "attempt_counter", "audit_event", "letter"} <= tables
