"""The committed migrations match the models and apply on a fresh database."""

import importlib
import os
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from tortoise.cli.cli import tortoise_cli_context
from tortoise.migrations.autodetector import MigrationAutodetector

from web.db import TORTOISE_ORM, migrate


async def test_models_have_no_unmigrated_changes():
    async with tortoise_cli_context(TORTOISE_ORM) as ctx:
        apps = {label: dict(config) for label, config in TORTOISE_ORM["apps"].items()}
        writers = await MigrationAutodetector(ctx.apps, apps).changes()
    pending = [op for writer in writers for op in writer.operations]
    assert not pending, (
        "models changed without a migration: add one with `.venv/bin/tortoise makemigrations` "
        "(never rewrite a committed migration: deployed databases have applied it)"
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


@pytest.mark.postgresql
async def test_migrations_apply_to_a_fresh_postgresql_database():
    """What `espace migrate` does to a production database, on PostgreSQL itself."""
    base = urlsplit(os.environ["TEST_DATABASE_URL"])
    name = f"espace_migrations_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(urlunsplit(base._replace(scheme="postgresql")))
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = urlunsplit(base._replace(path=f"/{name}"))
        await migrate(url)
        await migrate(url)  # idempotent
        fresh = urlunsplit(base._replace(scheme="postgresql", path=f"/{name}"))
        database = await asyncpg.connect(fresh)
        try:
            tables = {row["tablename"] for row in await database.fetch(
                "select tablename from pg_tables where schemaname = 'public'")}
        finally:
            await database.close()
        assert {"member", "account", "token", "session", "outbox_mail", "letter"} <= tables
    finally:
        await admin.execute(f'DROP DATABASE "{name}"')
        await admin.close()


async def test_mss_logins_are_put_in_the_form_of_the_email_rule(db):
    """Migration 0008: logins casefolded by the old rule are found by the new one."""
    from types import SimpleNamespace

    from accounts_support import make_account
    from tortoise import connections

    from web.accounts.models import Account
    from web.accounts.service import find_account

    rule = importlib.import_module("web.migrations.0008_logins_by_the_email_rule")
    accounts = {}
    for n, email in enumerate(("ÉLODIE.Roy@例え.jp", "Zoe@Example.org", "taken@xn--r8jz45g.jp",
                               "TAKEN@例え.jp")):
        account = await make_account(email=f"{n}@example.org", identifier=f"{n:09d}")
        # as the old rule wrote it
        await Account.filter(id=account.id).update(email=email, login=email.casefold())
        accounts[email] = account.id
    await rule.renormalize_logins(SimpleNamespace(get_model=lambda *_: Account),
                                  SimpleNamespace(client=connections.get("default")))
    assert (await find_account("mss", "ÉLODIE.Roy@例え.jp")).id == accounts["ÉLODIE.Roy@例え.jp"]
    assert (await find_account("mss", "zoe@example.org")).id == accounts["Zoe@Example.org"]
    kept = await Account.get(id=accounts["TAKEN@例え.jp"])
    assert kept.login == "taken@例え.jp"  # its new form is another account's: left for support
