"""A real Espace server for the browser tests and the benchmarks.

A temporary folder with a fresh SQLite database: ``espace migrate``, ``espace demo`` (or a
copy of the database ``prepare_database`` made so, named by ESPACE_E2E_DATABASE: the browser
suite prepares it once for all its servers), then uvicorn on a free loopback port in a
subprocess, stopped on exit. Its log is kept in the folder and shown when it fails to start.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PREPARED = "ESPACE_E2E_DATABASE"  # a migrated database with the demo registry, to copy


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, log_path: Path, timeout: float = 30):
    """Poll ``url`` until it answers; fail with the server's log if it exits or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"server at {url} did not start:\n{log_path.read_text(errors='replace')}")


class LiveServer:
    """``with LiveServer() as server: server.url`` — migrated, demo data loaded, serving."""

    def __init__(self, *, extra_env: dict | None = None, quiet: bool = True) -> None:
        self.extra_env = extra_env or {}
        self.quiet = quiet
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.folder = Path(tempfile.mkdtemp(prefix="espace-live-"))
        self.log_path = self.folder / "server.log"
        self.env = {
            **os.environ,
            "ESPACE_ENV": "development",
            "MAIL_URL": "mailbox:",
            "DATABASE_URL": f"sqlite://{self.folder / 'espace.sqlite3'}",
            "BASE_URL": self.url,
            **self.extra_env,
        }
        self.process: subprocess.Popen | None = None

    def espace(self, *args: str) -> str:
        """Run one ``espace`` command against this server's database (in English); its
        output. Fails loudly."""
        done = subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "web.cli", *args],
            cwd=ROOT,
            env={**self.env, "LANG": "C.UTF-8", "LC_ALL": ""},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"espace {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
            )
        return done.stdout

    def database(self) -> closing[sqlite3.Connection]:
        """This server's SQLite database (``with server.database() as db:``)."""
        return closing(sqlite3.connect(self.folder / "espace.sqlite3", timeout=10))

    def clear_counters(self) -> None:
        """Forget the verification, registration and resend counters: every browser test comes
        from 127.0.0.1, and one test's failures must not lock the next."""
        with self.database() as db:
            db.execute("DELETE FROM attempt_counter WHERE key LIKE 'verify%' "
                       "OR key LIKE 'resend%' OR key LIKE 'register-client%'")
            db.commit()

    def prepare(self) -> None:
        """This server's database: a copy of the prepared one, else migrated and loaded."""
        prepared = self.env.get(PREPARED)
        if not prepared:
            self.espace("migrate")
            self.espace("demo")
            return
        with closing(sqlite3.connect(prepared)) as source, self.database() as copy:
            source.backup(copy)

    def start(self) -> LiveServer:
        self.prepare()
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "web.app:serve_app",
            "--factory",
            "--host",
            HOST,
            "--port",
            str(self.port),
            "--workers",
            "1",
            "--no-server-header",  # as `espace serve`
        ]
        if self.quiet:
            command += ["--no-access-log", "--log-level", "warning"]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                command,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            wait_until_up(self.url + "/", self.process, self.log_path)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        shutil.rmtree(self.folder, ignore_errors=True)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def prepare_database(folder: Path) -> Path:
    """A migrated database with the demo registry in ``folder``, for LiveServer to copy."""
    server = LiveServer(extra_env={PREPARED: ""})
    try:
        server.prepare()
        path = Path(folder) / "prepared.sqlite3"
        with server.database() as source, closing(sqlite3.connect(path)) as copy:
            source.backup(copy)
        return path
    finally:
        server.stop()
