"""Every setting, read from the environment, with safe development defaults."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from web.branding import branding_problems
from web.root import ROOT

ALL_PORTALS = ("mss", "espace-prive")
DEV_SECRET = "development-only-secret-key-not-for-production"  # noqa: S105 - refused in production


class UnsafeSettings(RuntimeError):
    """Raised when production is asked to start with settings that are not safe."""


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    database_url: str = f"sqlite://{ROOT / 'data' / 'espace.sqlite3'}"
    secret_key: str = DEV_SECRET
    mail_url: str = "mailbox:"
    mail_from: str = "Espace <no-reply@espace.example.org>"
    base_url: str = "http://127.0.0.1:8000"
    portals: tuple[str, ...] = ALL_PORTALS
    branding_file: str | None = None
    proxy_addresses: tuple[str, ...] = ()  # the TLS proxies': addresses or networks
    metrics_addresses: tuple[str, ...] = ()  # who may read /metrics (none: it is off)
    ready_mail_age: int = 900  # seconds the oldest pending mail may wait before /readyz fails
    # Tests only: the seconds a form must have been shown before it is sent (else a robot);
    # None keeps each form's own (mss 3, espace-prive 1.5).
    min_fill_seconds: float | None = None
    # Tests only: the seconds a logged-in session lasts without activity; None keeps 30 min.
    session_idle_seconds: float | None = None
    # Tests only: the seconds between two looks of the mail worker at the outbox; None keeps 3.
    mail_poll_seconds: float | None = None
    extra: dict = field(default_factory=dict)

    @property
    def development(self) -> bool:
        return self.env == "development"

    @property
    def cookie_secure(self) -> bool:
        return not self.development

    def fill_seconds(self, default: float) -> float:
        """How long a form must have been shown before it is sent: ``default`` (the form's
        own), unless ESPACE_MIN_FILL_SECONDS sets it for a test server."""
        return default if self.min_fill_seconds is None else self.min_fill_seconds

    @classmethod
    def from_env(cls, environ: os._Environ | dict | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        env = environ.get("ESPACE_ENV", "development")
        defaults = cls()
        portals = tuple(
            p.strip() for p in environ.get("ESPACE_PORTALS", ",".join(ALL_PORTALS)).split(",")
            if p.strip()
        )
        settings = cls(
            env=env,
            database_url=environ.get("DATABASE_URL", defaults.database_url),
            secret_key=environ.get("SECRET_KEY", DEV_SECRET if env == "development" else ""),
            mail_url=environ.get("MAIL_URL", defaults.mail_url),
            mail_from=environ.get("MAIL_FROM", defaults.mail_from),
            base_url=environ.get("BASE_URL", defaults.base_url).rstrip("/"),
            portals=portals,
            branding_file=environ.get("ESPACE_BRANDING_FILE") or None,
            proxy_addresses=_listed(environ.get("ESPACE_PROXY_ADDRESSES", "")),
            metrics_addresses=_listed(environ.get("ESPACE_METRICS_ADDRESSES", "")),
            ready_mail_age=_number(environ.get("ESPACE_READY_MAIL_AGE", ""),
                                   defaults.ready_mail_age),
            min_fill_seconds=_seconds(environ.get("ESPACE_MIN_FILL_SECONDS", "")),
            session_idle_seconds=_seconds(environ.get("ESPACE_SESSION_IDLE_SECONDS", "")),
            mail_poll_seconds=_seconds(environ.get("ESPACE_MAIL_POLL_SECONDS", "")),
        )
        settings.check()
        return settings

    def problems(self) -> list[str]:
        """What makes these settings unsafe or invalid; empty when they are fine."""
        found = []
        if self.env not in ("development", "production"):
            found.append("ESPACE_ENV must be 'development' or 'production'")
        unknown = [p for p in self.portals if p not in ALL_PORTALS]
        if unknown or not self.portals:
            found.append(f"ESPACE_PORTALS must list some of {', '.join(ALL_PORTALS)}")
        if not (self.mail_url == "mailbox:" or _has_host(self.mail_url, ("smtp", "smtps"))):
            found.append("MAIL_URL must be mailbox:, smtp://host:port or smtps://user:pass@host:port")
        if not _is_database_url(self.database_url):
            found.append("DATABASE_URL must be sqlite://path/to/file or postgres://user@host/db")
        if not _has_host(self.base_url, ("http", "https")):
            found.append("BASE_URL must be the public address, like https://espace.example.org")
        for name, addresses in (("ESPACE_PROXY_ADDRESSES", self.proxy_addresses),
                                ("ESPACE_METRICS_ADDRESSES", self.metrics_addresses)):
            wrong = [a for a in addresses if not _is_network(a)]
            if wrong:
                found.append(f"{name} must list IP addresses or networks, not {', '.join(wrong)}")
        if self.ready_mail_age < 1:
            found.append("ESPACE_READY_MAIL_AGE must be a number of seconds")
        if self.min_fill_seconds is not None and not 0 <= self.min_fill_seconds <= 60:
            found.append("ESPACE_MIN_FILL_SECONDS must be a number of seconds from 0 to 60")
        if self.session_idle_seconds is not None and not 4 <= self.session_idle_seconds <= 1800:
            found.append("ESPACE_SESSION_IDLE_SECONDS must be a number of seconds from 4 to 1800")
        if self.mail_poll_seconds is not None and not 0.05 <= self.mail_poll_seconds <= 60:
            found.append("ESPACE_MAIL_POLL_SECONDS must be a number of seconds from 0.05 to 60")
        if self.branding_file:
            found += branding_problems(self.branding_file)
        if self.env == "production":
            if not self.secret_key or self.secret_key == DEV_SECRET or len(self.secret_key) < 32:
                found.append("SECRET_KEY is required in production (at least 32 random characters)")
            if not self.base_url.startswith("https://"):
                found.append("BASE_URL must be an https:// address in production")
            if self.mail_url.startswith("mailbox:"):
                found.append("MAIL_URL must be an smtp:// or smtps:// address in production")
            if self.min_fill_seconds is not None:
                found.append("ESPACE_MIN_FILL_SECONDS is for tests: production keeps each "
                             "form's own delay against robots")
            if self.session_idle_seconds is not None:
                found.append("ESPACE_SESSION_IDLE_SECONDS is for tests: production sessions "
                             "last 30 idle minutes")
            if self.mail_poll_seconds is not None:
                found.append("ESPACE_MAIL_POLL_SECONDS is for tests: production's mail worker "
                             "looks at the outbox every 3 seconds")
            if not self.proxy_addresses:
                found.append("ESPACE_PROXY_ADDRESSES must name the TLS proxy's addresses in "
                             "production (else every visitor shares the proxy's address)")
        return found

    def check(self) -> None:
        """Raise ``UnsafeSettings`` naming every problem."""
        found = self.problems()
        if found:
            raise UnsafeSettings("Refusing to start: " + "; ".join(found))


def _has_host(url: str, schemes: tuple[str, ...]) -> bool:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError when the port is not a number in range
    except ValueError:
        return False
    return parts.scheme in schemes and bool(parts.hostname)


def _is_database_url(url: str) -> bool:
    if url.startswith("sqlite://"):
        return bool(url.removeprefix("sqlite://").split("?", 1)[0])
    return _has_host(url, ("postgres", "postgresql")) and len(urlsplit(url).path) > 1


def _listed(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())


def _seconds(value: str) -> float | None:
    try:
        return float(value) if value.strip() else None
    except ValueError:
        return -1.0  # refused by problems()


def _number(value: str, default: int) -> int:
    try:
        return int(value) if value.strip() else default
    except ValueError:
        return 0  # refused by problems()


def _is_network(value: str) -> bool:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    return True
