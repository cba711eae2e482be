"""``espace migrate`` and ``espace serve`` facing databases that are missing, unmigrated,
unreachable, or written in the URL forms people use."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ESPACE = Path(sys.executable).parent / "espace"


def espace(*args: str, cwd: Path, database_url: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("MAIL_URL", "ESPACE_ENV")}
    return subprocess.run(  # noqa: S603 - our own console script
        [str(ESPACE), *args],
        capture_output=True,
        text=True,
        timeout=60,  # a database Tortoise cannot open used to hang for ever
        cwd=cwd,
        env={**environ, "DATABASE_URL": database_url, "LANG": "en_GB.UTF-8", "COLUMNS": "200"},
    )


@pytest.mark.parametrize(
    ("url", "file"),
    [
        ("sqlite://data/espace.sqlite3", "data/espace.sqlite3"),  # relative, folder made
        ("sqlite:///{tmp}/abs/espace.sqlite3", "abs/espace.sqlite3"),
        ("sqlite:////{tmp}/four/espace.sqlite3", "four/espace.sqlite3"),
    ],
)
def test_migrate_understands_every_sqlite_url_form(tmp_path, url, file):
    url = url.format(tmp=str(tmp_path).lstrip("/"))
    result = espace("migrate", cwd=tmp_path, database_url=url)
    assert result.returncode == 0, result.stderr
    tables = sqlite3.connect(tmp_path / file).execute("select name from sqlite_master").fetchall()
    assert ("account",) in tables


def test_migrate_reports_an_unreachable_postgresql(tmp_path):
    result = espace("migrate", cwd=tmp_path, database_url="postgres://u@127.0.0.1:1/none")
    assert result.returncode == 2
    assert result.stderr.startswith("database:") and "Traceback" not in result.stderr


def test_serve_refuses_a_missing_database(tmp_path):
    result = espace("serve", cwd=tmp_path, database_url=f"sqlite://{tmp_path}/none.sqlite3")
    assert result.returncode == 2
    assert "run `espace migrate` first" in result.stderr


def test_serve_refuses_a_database_without_its_migrations(tmp_path):
    sqlite3.connect(tmp_path / "old.sqlite3").execute("create table t (x)")
    result = espace("serve", cwd=tmp_path, database_url=f"sqlite://{tmp_path}/old.sqlite3")
    assert result.returncode == 2
    assert "migration(s)" in result.stderr and "run `espace migrate`" in result.stderr


def test_serve_refuses_a_port_out_of_range(tmp_path):
    result = espace("serve", "--port", "99999", cwd=tmp_path, database_url="sqlite://x")
    assert result.returncode == 2 and "--port" in result.stderr
