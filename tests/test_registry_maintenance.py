"""Operators' commands and housekeeping: demo, import-members, unlock, purge."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from rich.console import Console
from tortoise.queryset import QuerySet
from typer.testing import CliRunner

from web import cli
from web.accounts.models import Account, Token
from web.accounts.service import login_key
from web.i18n import use_language
from web.operations import housekeeping
from web.operations.commands import import_progress
from web.operations.demo import DEMO_PASSWORD, demo_identities
from web.operations.housekeeping import purge, unlock
from web.portals.models import RegistrationDraft
from web.registry.models import Member
from web.root import ROOT
from web.security import limits
from web.security.models import AttemptCounter, AuditEvent, Session

SAMPLE = Path(__file__).parent / "data" / "registry_sample.csv"


@pytest.fixture
async def account(db):
    member = await Member.create(
        portal="mss",
        identifier="000123456",
        last_name="Lefèvre",
        first_names="Hélène",
        birth_date=date(1968, 4, 12),
        email="helene@example.org",
    )
    return await Account.create(
        portal="mss", member=member, login="helene@example.org", email="helene@example.org"
    )


# --- unlock ---------------------------------------------------------------------------------


async def test_unlock_clears_the_members_verification_lockout(account):
    member_key, client_key = limits.verification_keys("mss", "000123456", "198.51.100.4")
    for _ in range(3):
        await limits.record_failure(member_key, limits.VERIFICATION_MEMBER)
        await limits.record_failure(client_key, limits.VERIFICATION_CLIENT)
    await limits.record_failure(login_key("mss", account.login), limits.VERIFICATION_CLIENT)
    assert await limits.locked_until(member_key)

    cleared = await unlock("mss", " 000 123 456 ")
    assert cleared == {"verification": 3, "login": 1}
    assert await limits.locked_until(member_key) is None  # open again
    assert await limits.failures(client_key) == 3  # the client address stays locked

    assert await unlock("mss", "000123456", client="198.51.100.4") == {
        "verification": 0,
        "login": 0,
        "client": 3,
    }
    assert await limits.locked_until(client_key) is None


async def test_unlock_an_unknown_member_clears_nothing(db):
    assert await unlock("espace-prive", "2850397411023") == {"verification": 0}


# --- purge ----------------------------------------------------------------------------------


@pytest.mark.parametrize("batch", [500, 1])
async def test_purge_deletes_only_what_expired(account, monkeypatch, batch):
    """In batches: the write lock is held one batch at a time, never for the whole purge."""
    monkeypatch.setattr(housekeeping, "PURGE_BATCH", batch)
    deleted = []
    delete = QuerySet.delete

    async def counting_delete(self):
        deleted.append(await delete(self))
        return deleted[-1]

    monkeypatch.setattr(QuerySet, "delete", counting_delete)
    # the moment the rows are written, not the module's import: a slow run would age them
    moment = datetime.now(UTC)
    ago = lambda **kw: moment - timedelta(**kw)  # noqa: E731
    for key, expires in (("old", ago(minutes=1)), ("live", moment + timedelta(hours=23))):
        await RegistrationDraft.create(key=key, portal="mss", updated_at=moment, expires_at=expires)
    tokens = {
        "expired-2d": {"expires_at": ago(days=2)},
        "used-2d": {"expires_at": moment + timedelta(hours=1), "used_at": ago(days=2)},
        "used-1h": {"expires_at": moment + timedelta(hours=20), "used_at": ago(hours=1)},
        "expired-1h": {"expires_at": ago(hours=1)},
        "live": {"expires_at": moment + timedelta(hours=24)},
    }
    for name, values in tokens.items():
        await Token.create(account=account, purpose="reset", token_hash=name, **values)
    sessions = {
        "idle": (ago(hours=1), ago(minutes=31)),
        "too-old": (ago(hours=13), ago(minutes=1)),
        "live": (ago(hours=2), ago(minutes=5)),
    }
    for name, (created, seen) in sessions.items():
        await Session.create(id_hash=name, account=account, created_at=created, last_seen_at=seen)
    counters = {
        "old": (ago(days=2), None),
        "lock-ended-long-ago": (ago(days=3), ago(days=2)),
        "locked-now": (ago(days=2), moment + timedelta(minutes=10)),
        "recent": (ago(minutes=5), None),
    }
    for key, (started, locked) in counters.items():
        await AttemptCounter.create(
            key=key, count=1, window_started_at=started, locked_until=locked
        )

    for event, at in (("old", ago(days=366)), ("kept", ago(days=364))):
        created = await AuditEvent.create(event=event)
        await AuditEvent.filter(id=created.id).update(at=at)  # `at` is set on creation

    assert await purge() == {
        "drafts": 1, "tokens": 2, "sessions": 2, "attempt_counters": 2, "audit_events": 1,
        "mails": 0,
    }
    assert sum(deleted) == 8 and max(deleted) <= batch
    assert {d.key for d in await RegistrationDraft.all()} == {"live"}
    assert {t.token_hash for t in await Token.all()} == {"used-1h", "expired-1h", "live"}
    assert {s.id_hash for s in await Session.all()} == {"live"}
    assert {c.key for c in await AttemptCounter.all()} == {"locked-now", "recent"}
    assert {e.event for e in await AuditEvent.all()} == {"kept"}
    assert set((await purge()).values()) == {0}


# --- the commands ---------------------------------------------------------------------------


def espace(*args: str, database: Path, lang: str = "C.UTF-8") -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite://{database}",
        "LANG": lang,
        "ESPACE_ENV": "development",
    }
    environment.pop("LC_ALL", None)
    environment.pop("LC_MESSAGES", None)
    return subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "web.cli", *args],
        cwd=ROOT,
        env=environment,  # noqa: S603
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_commands_end_to_end(tmp_path):
    database = tmp_path / "espace.sqlite3"
    assert espace("migrate", database=database).returncode == 0

    imported = espace("import-members", str(SAMPLE), database=database)
    assert imported.returncode == 0, imported.stderr
    assert "6 rows: 6 created, 0 updated, 0 unchanged, 0 rejected." in imported.stdout

    bad = tmp_path / "bad.csv"
    bad.write_text(SAMPLE.read_text("utf-8").replace("1966-09-02", "02/09/1966"), "utf-8")
    rejected = espace("import-members", str(bad), database=database)
    assert rejected.returncode == 1
    assert "line 2: birth_date: expected a date such as 1970-01-31" in rejected.stderr
    assert "6 rows: 0 created, 0 updated, 5 unchanged, 1 rejected." in rejected.stdout

    quote = tmp_path / "quote.csv"
    quote.write_text(SAMPLE.read_text("utf-8") + 'mss,"000000001,Unclosed\n', "utf-8")
    unclosed = espace("import-members", str(quote), database=database)
    assert unclosed.returncode == 1
    assert "line 16: a quote opened on this line is never closed" in unclosed.stderr
    assert "7 rows: 0 created, 0 updated, 6 unchanged, 1 rejected." in unclosed.stdout

    french = espace("import-members", str(bad), database=database, lang="fr_FR.UTF-8")
    assert "ligne 2 : birth_date : date attendue au format 1970-01-31" in french.stderr

    unlocked = espace(
        "unlock",
        "--portal",
        "mss",
        "--identifier",
        "000 482 913",
        "--client",
        "198.51.100.4",
        database=database,
    )
    assert unlocked.returncode == 0, unlocked.stderr
    assert "identity verification: 0 failures cleared" in unlocked.stdout
    assert "client address: 0 failures cleared" in unlocked.stdout

    purged = espace("purge", database=database)
    assert purged.returncode == 0, purged.stderr
    assert "expired registration drafts: 0 deleted" in purged.stdout


@pytest.mark.parametrize(("language", "shown"), [
    ("en", "1,000 rows/s"), ("fr", "1\u202f000 lignes/s")])
def test_import_progress_shows_rows_per_second_and_time_left(language, shown):
    """1 000 rows of 100 bytes a second, 300 of a 1 000 000-byte file read: 7 s left."""
    clock = [0.0]
    screen = Console(file=io.StringIO(), width=100, color_system=None)
    with use_language(language):
        progress, advance = import_progress(1_000_000, console=screen, get_time=lambda: clock[0])
    for _second in range(3):
        clock[0] += 1
        advance(100_000, 1000)
    screen.print(progress.get_renderable())
    line = screen.file.getvalue()
    assert shown in line
    assert "30%" in line and "0:00:07" in line


def test_commands_fail_cleanly_without_a_database(tmp_path):
    database = tmp_path / "missing" / "x.sqlite3"
    result = CliRunner().invoke(
        cli.app, ["purge"], env={"DATABASE_URL": f"sqlite://{database}", "LANG": "C"}
    )
    assert result.exit_code == 2
    assert f"No database at {database}: run `espace migrate` first." in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import-members", "nowhere.csv"], "No such file: nowhere.csv"),
        (["unlock", "--portal", "nope", "--identifier", "1"], "Unknown portal nope"),
        (["unlock", "--portal", "mss", "--identifier", " "], "The identifier is required."),
        (["purge"], "ESPACE_ENV must be"),
    ],
)
def test_commands_refuse_bad_arguments_before_touching_the_database(args, message):
    env = {"LANG": "C", "ESPACE_ENV": "staging" if args == ["purge"] else "development"}
    result = CliRunner().invoke(cli.app, args, env=env)
    assert result.exit_code == 2
    assert message in result.output


def counts(database: Path) -> tuple[int, int]:
    with sqlite3.connect(database) as connection:
        return tuple(
            connection.execute(f"select count(*) from {table}").fetchone()[0]  # noqa: S608
            for table in ("member", "account")
        )


def test_cli_migrate_then_demo_twice_on_a_fresh_sqlite_file(tmp_path):
    database = tmp_path / "data" / "espace.sqlite3"
    assert espace("migrate", database=database).returncode == 0
    first = espace("demo", database=database)
    assert first.returncode == 0, first.stderr
    assert f"{len(demo_identities())} created" in first.stdout and DEMO_PASSWORD in first.stdout
    assert counts(database) == (len(demo_identities()), 4)
    second = espace("demo", database=database)
    assert second.returncode == 0, second.stderr
    assert f"{len(demo_identities())} unchanged" in second.stdout
    assert counts(database) == (len(demo_identities()), 4)
