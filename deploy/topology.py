"""The production topology on this machine, on loopback only: nginx (Debian's) ending TLS with a
throw-away certificate made by openssl, in front of two `espace serve` processes on one
PostgreSQL database, their mail workers delivering to a real SMTP server (aiosmtpd),
``ESPACE_ENV=production``.

Every part is started from the files an operator installs — ``deploy/nginx/espace.conf``,
``deploy/systemd/espace@.service`` and ``espace-migrate.service`` (their ExecStart),
``deploy/espace.env.example`` — with only the host-specific values replaced (ports, paths,
secrets); the processes run from the virtualenv of the production lock (``.venv-production``,
installed with ``--require-hashes``).

``python -m deploy.topology`` (``make production``) starts it until Ctrl-C; the production
smoke test (``deploy/smoke/``) starts it once for its session.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

from e2e.mail import SinkMailbox, start_sink

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
VENV = ROOT / ".venv-production"
HOST = "127.0.0.1"
SERVER_NAME = "espace.localhost"  # browsers resolve *.localhost to loopback by themselves
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"
PSQL = shutil.which("psql") or "/usr/bin/psql"
STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def replace_exactly(text: str, replacements: dict[str, str], *, source: str) -> str:
    """Replace each string, which must be in ``text``: a changed shipped file fails loudly
    instead of being run half-adapted."""
    for old, new in replacements.items():
        if old not in text:
            raise RuntimeError(f"{source} no longer contains {old!r}: update deploy/topology.py")
        text = text.replace(old, new)
    return text


def read_env_file(path: Path) -> dict[str, str]:
    """``KEY=value`` lines, as systemd's EnvironmentFile and compose's env_file read them."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def unit_command(unit: Path, key: str, instance: str, venv: Path) -> list[str]:
    """The command of ``key`` (ExecStart…) in a systemd unit, for instance ``%i``."""
    for line in unit.read_text().splitlines():
        if line.startswith(f"{key}="):
            command = line.removeprefix(f"{key}=").replace("%i", instance)
            command = replace_exactly(command, {"/opt/espace/venv/": f"{venv}/"},
                                      source=unit.name)
            return shlex.split(command)
    raise RuntimeError(f"{unit.name} has no {key}=")


class Topology:
    """``with Topology(admin_url) as production: production.url`` — everything up, stopped
    and deleted on exit (the database too)."""

    def __init__(self, admin_url: str, *, venv: Path = VENV, workers: int = 2) -> None:
        self.admin_url = admin_url  # a PostgreSQL URL whose user may create databases
        self.venv = venv
        self.folder = Path(tempfile.mkdtemp(prefix="espace-production-"))
        self.https_port, self.http_port = free_port(), free_port()
        self.worker_ports = [free_port() for _ in range(workers)]
        self.url = f"https://{SERVER_NAME}:{self.https_port}"
        self.database = f"espace_production_{secrets.token_hex(6)}"
        self.smtp_port = free_port()
        self.mail = SinkMailbox(self.folder / "maildir")  # what the SMTP server received
        self.sink = None
        self.processes: dict[str, subprocess.Popen] = {}
        self.certificate = self.folder / "fullchain.pem"

    # --- what the tests look at ---------------------------------------------------------

    def log_path(self, name: str) -> Path:
        return self.folder / f"{name}.log"

    def worker_url(self, port: int) -> str:
        return f"http://{HOST}:{port}"

    def database_url(self, admin: bool = False) -> str:
        parts = urlsplit(self.admin_url)
        return urlunsplit(parts._replace(path="/" + (parts.path.strip("/") if admin
                                                     else self.database)))

    def psql(self, sql: str, *, admin: bool = False) -> str:
        done = subprocess.run(  # noqa: S603 - psql, with our own SQL
            [PSQL, "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1",
             self.database_url(admin=admin).replace("postgres://", "postgresql://", 1),
             "-c", sql], capture_output=True, text=True, timeout=30, check=False)
        if done.returncode:
            raise RuntimeError(f"psql failed: {done.stderr}")
        return done.stdout

    # --- start and stop -----------------------------------------------------------------

    def start(self) -> Topology:
        try:
            self._certificate()
            self.sink = start_sink(HOST, self.smtp_port, self.mail.folder)
            self.psql(f'CREATE DATABASE "{self.database}"', admin=True)
            self.env = self._environment()
            migrate = unit_command(DEPLOY / "systemd" / "espace-migrate.service", "ExecStart",
                                   "", self.venv)
            self.espace(*migrate[1:])
            self.espace("demo", ESPACE_ENV="development")  # test data: the demo registry
            for port in self.worker_ports:
                self._start_worker(port)
            self._start_nginx()
            for port in self.worker_ports:
                self._wait(f"espace-{port}", f"{self.worker_url(port)}/healthz")
            self._wait("nginx", f"https://{HOST}:{self.https_port}/healthz")
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self, *, keep: bool = False) -> None:
        for process in reversed(self.processes.values()):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=5)
        self.processes.clear()
        if self.sink is not None:
            self.sink.stop()
            self.sink = None
        try:
            self.psql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)', admin=True)
        except (RuntimeError, OSError, subprocess.TimeoutExpired):
            pass  # never created, or the server is gone
        if not keep:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Topology:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- the parts ----------------------------------------------------------------------

    def _certificate(self) -> None:
        """A self-signed certificate for espace.localhost and 127.0.0.1, valid one day."""
        subprocess.run(  # noqa: S603 - openssl with fixed arguments
            [OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-nodes", "-days", "1", "-subj", f"/CN={SERVER_NAME}",
             "-addext", f"subjectAltName=DNS:{SERVER_NAME},IP:{HOST}",
             "-keyout", str(self.folder / "privkey.pem"), "-out", str(self.certificate)],
            check=True, capture_output=True, timeout=30)

    def certificate_pin(self) -> str:
        """The certificate key's SHA-256 (base64), as Chromium's SPKI pins are written."""
        public_key = subprocess.run(  # noqa: S603 - openssl with fixed arguments
            [OPENSSL, "x509", "-pubkey", "-noout", "-in", str(self.certificate)],
            check=True, capture_output=True, timeout=30).stdout
        der = subprocess.run(  # noqa: S603
            [OPENSSL, "pkey", "-pubin", "-outform", "der"], input=public_key,
            check=True, capture_output=True, timeout=30).stdout
        return base64.b64encode(hashlib.sha256(der).digest()).decode()

    def _environment(self) -> dict[str, str]:
        """deploy/espace.env.example with this machine's values."""
        values = read_env_file(DEPLOY / "espace.env.example")
        values.update(
            SECRET_KEY=secrets.token_urlsafe(48),
            DATABASE_URL=self.database_url(),
            BASE_URL=self.url,
            MAIL_URL=f"smtp://{HOST}:{self.smtp_port}",
            ESPACE_PROXY_ADDRESSES=HOST,
            ESPACE_METRICS_ADDRESSES=HOST,
        )
        (self.folder / "espace.env").write_text("".join(f"{k}={v}\n" for k, v in values.items()))
        keep = ("PATH", "LANG", "LC_ALL", "TZ", "HOME")
        return {**{k: v for k, v in os.environ.items() if k in keep}, **values}

    def espace(self, *args: str, **env: str) -> str:
        done = subprocess.run(  # noqa: S603 - the production virtualenv's console script
            [str(self.venv / "bin" / "espace"), *args], cwd=self.folder,
            env={**self.env, **env}, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode:
            raise RuntimeError(f"espace {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def _start_worker(self, port: int) -> None:
        unit = DEPLOY / "systemd" / "espace@.service"
        command = unit_command(unit, "ExecStart", str(port), self.venv)
        self._spawn(f"espace-{port}", command, env=self.env)

    def _start_nginx(self) -> None:
        site = replace_exactly((DEPLOY / "nginx" / "espace.conf").read_text(), {
            "server 127.0.0.1:8001;": f"server {HOST}:{self.worker_ports[0]};",
            "server 127.0.0.1:8002;": f"server {HOST}:{self.worker_ports[1]};",
            "listen 80;": f"listen {HOST}:{self.http_port};",
            "listen 443 ssl http2;": f"listen {HOST}:{self.https_port} ssl http2;",
            "    listen [::]:80;\n": "",
            "    listen [::]:443 ssl http2;\n": "",
            "server_name espace.example.org;": f"server_name {SERVER_NAME} {HOST};",
            "/etc/ssl/espace/fullchain.pem": str(self.certificate),
            "/etc/ssl/espace/privkey.pem": str(self.folder / "privkey.pem"),
            "/var/log/nginx/espace.access.log": str(self.log_path("nginx-access")),
        }, source="deploy/nginx/espace.conf")
        (self.folder / "espace.conf").write_text(site)
        temp = self.folder / "nginx-temp"
        temp.mkdir()
        temp.chmod(0o777)  # nginx's workers run as nobody when started as root
        (self.folder / "nginx.conf").write_text(f"""\
# What Debian's /etc/nginx/nginx.conf gives, in this folder.
daemon off;
worker_processes 1;
pid {self.folder}/nginx.pid;
error_log {self.log_path("nginx-error")} warn;
events {{ worker_connections 512; }}
http {{
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include /etc/nginx/mime.types;
    include {self.folder}/espace.conf;
}}
""")
        self._spawn("nginx", [NGINX, "-p", str(self.folder), "-c",
                              str(self.folder / "nginx.conf")], env=dict(os.environ))

    def _spawn(self, name: str, command: list[str], *, env: dict) -> None:
        with self.log_path(name).open("wb") as log:
            self.processes[name] = subprocess.Popen(  # noqa: S603 - our own commands
                command, cwd=self.folder, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)

    def _wait(self, name: str, url: str) -> None:
        context = ssl.create_default_context(cafile=str(self.certificate))
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.processes[name].poll() is not None:
                break
            try:
                if httpx.get(url, verify=context, timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{name} did not start:\n" +
                           self.log_path(name).read_text(errors="replace")[-4000:])


def main() -> None:
    admin = os.environ.get("TEST_DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    with Topology(admin) as production:
        print(f"Espace in production mode: {production.url}/ (certificate "
              f"{production.certificate}); logs in {production.folder}; Ctrl-C stops")
        seen = 0
        try:
            while True:
                mails = production.mail.received()
                for mail in mails[seen:]:
                    print(f"-- mail to {mail.to}: {mail.subject}\n{mail.text}")
                seen = len(mails)
                time.sleep(1)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
