"""``espace mail …`` as an operator runs it (the functions behind it are tested in
test_mail_outbox.py and test_mail_worker.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from web.root import ROOT

ESPACE = Path(sys.executable).parent / "espace"


def espace(*args: str, env: dict, language: str = "en_GB.UTF-8") -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own console script
        [str(ESPACE), *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={**env, "LANG": language, "LC_ALL": "", "LC_MESSAGES": "", "COLUMNS": "120"},
    )


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict:
    database = tmp_path_factory.mktemp("mail-cli") / "espace.sqlite3"
    environ = {k: v for k, v in os.environ.items() if k not in ("MAIL_URL", "ESPACE_ENV")}
    environ["DATABASE_URL"] = f"sqlite://{database}"
    assert espace("migrate", env=environ).returncode == 0
    return environ


def test_help_lists_the_three_commands(env):
    result = espace("mail", "--help", env=env)
    assert result.returncode == 0
    for command in ("list", "retry", "worker"):
        assert command in result.stdout


def test_list_and_retry_on_an_empty_outbox(env):
    french = espace("mail", "list", env=env, language="fr_FR.UTF-8")
    assert (french.returncode, french.stdout.strip()) == (0, "Aucun courriel en attente ni envoyé.")
    missing = espace("mail", "retry", "42", env=env)
    assert (missing.returncode, missing.stderr.strip()) == (1, "No mail 42.")


def test_wrong_arguments_exit_2_with_a_reason(env):
    no_ids = espace("mail", "retry", env=env)
    assert no_ids.returncode == 2 and "--dead" in no_ids.stderr
    wrong_url = espace("mail", "worker", "--once", env={**env, "MAIL_URL": "ftp://x"})
    assert wrong_url.returncode == 2 and "MAIL_URL" in wrong_url.stderr
