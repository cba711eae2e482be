"""Delivery of the outbox: claim due mail, send it over SMTP (or, with ``MAIL_URL=mailbox:``,
put the whole mail in the development mailbox), retry with a growing delay for a day.

A pass first *claims* its mail in a short transaction (``SELECT … FOR UPDATE SKIP LOCKED`` on
PostgreSQL, then a compare-and-set on ``attempts``, which also covers SQLite and several
processes): the claim counts the try and pushes ``next_attempt_at`` one lease ahead, so no
other worker takes the mail while it is being sent, and a worker that dies mid-send leaves it
to be retried after the lease. Sending happens outside any transaction.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from urllib.parse import unquote, urlsplit

import aiosmtplib
from tortoise.transactions import in_transaction

from web import clock
from web.mail.models import OutboxMail
from web.mail.outbox import DEAD, PENDING, SENT
from web.settings import Settings

log = logging.getLogger("espace.mail")

# The waits after each failed try: the eighth and last try comes a day after the first, so an
# SMTP outage of up to a day (a night, a provider's incident) delays mail without losing it.
RETRY_DELAYS = tuple(
    timedelta(minutes=minutes) for minutes in (1, 5, 15, 60, 3 * 60, 8 * 60, 12 * 60)
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
BATCH = 10
SEND_TIMEOUT = 60  # seconds per mail, so a batch (10 min at worst) ends within its lease
LEASE = timedelta(minutes=15)
POLL_SECONDS = 3.0


class PermanentFailure(Exception):
    """The server refused this mail for good (a 5xx answer to its recipient or its content)
    or it cannot be sent at all."""


@dataclass(frozen=True)
class SmtpServer:
    hostname: str
    port: int | None
    username: str | None
    password: str | None
    use_tls: bool

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        """``smtp://[user:pass@]host[:port]`` (STARTTLS when offered) or ``smtps://…``
        (implicit TLS)."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("MAIL_URL must be mailbox:, smtp://host:port or smtps://host:port")
        return cls(
            hostname=parts.hostname,
            port=parts.port,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            use_tls=parts.scheme == "smtps",
        )


def smtp_server(settings: Settings) -> SmtpServer | None:
    """Where to send, or None in ``mailbox:`` mode (development: nothing leaves the machine)."""
    if settings.mail_url.startswith("mailbox:"):
        return None
    return SmtpServer.from_url(settings.mail_url)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed try (see RETRY_DELAYS)."""
    return RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]


def build_message(mail: OutboxMail, settings: Settings) -> EmailMessage:
    """multipart/alternative (text, then HTML), UTF-8, with a Message-ID that stays the same
    across retries so a receiver can drop a duplicate."""
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "espace.invalid"
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = f"<outbox.{mail.id}.{int(mail.created_at.timestamp())}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    text_body, html_body = mail.bodies()
    message.set_content(text_body, charset="utf-8")
    message.add_alternative(html_body, subtype="html", charset="utf-8")
    return message


def _permanent(code: int) -> bool:
    return 500 <= code < 600


async def send_smtp(mail: OutboxMail, settings: Settings, server: SmtpServer) -> None:
    """Send one mail. Only a 5xx answering RCPT TO (this recipient) or DATA (this message)
    refuses it for good: a 5xx to the greeting, EHLO, STARTTLS, AUTH or MAIL FROM comes from
    the server or from MAIL_URL / MAIL_FROM, the same for every mail, so it is tried again like
    an outage instead of killing the whole queue at its first try."""
    try:
        message = build_message(mail, settings)
        async with asyncio.timeout(SEND_TIMEOUT):
            await aiosmtplib.send(
                message,
                sender=parseaddr(settings.mail_from)[1],
                recipients=[mail.to],  # the envelope, not a parse of the headers
                hostname=server.hostname,
                port=server.port,
                username=server.username,
                password=server.password,
                use_tls=server.use_tls,
                timeout=SEND_TIMEOUT / 2,
            )
    except aiosmtplib.SMTPRecipientsRefused as error:
        if all(_permanent(refused.code) for refused in error.recipients):
            raise PermanentFailure(str(error.recipients[0])) from error
        raise
    except aiosmtplib.SMTPDataError as error:
        if _permanent(error.code):
            raise PermanentFailure(f"{error.code} {error.message}") from error
        raise
    except (ValueError, aiosmtplib.SMTPNotSupported) as error:  # a header or address SMTP
        # cannot carry: trying again would not help
        raise PermanentFailure(str(error)) from error


async def claim_due(now: datetime, limit: int) -> list[OutboxMail]:
    async with in_transaction() as connection:
        due = (
            await OutboxMail.filter(status=PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")
            .limit(limit)
            .select_for_update(skip_locked=True)
            .using_db(connection)
        )
        claimed = []
        for mail in due:
            taken = await (
                OutboxMail.filter(id=mail.id, status=PENDING, attempts=mail.attempts)
                .using_db(connection)
                .update(attempts=mail.attempts + 1, next_attempt_at=now + LEASE)
            )
            if taken:
                mail.attempts += 1
                claimed.append(mail)
    return claimed


async def record_failure(mail: OutboxMail, error: Exception, now: datetime) -> None:
    permanent = isinstance(error, PermanentFailure)
    reason = f"{type(error).__name__}: {error}"[:1000]
    # The log says only the kind of error: the server's words may quote the address (the
    # reason is kept in the outbox, for `espace mail list`).
    if permanent or mail.attempts >= MAX_ATTEMPTS:
        log.error("mail %s dead after %s tries (%s)", mail.id, mail.attempts, _kind(error))
        await OutboxMail.filter(id=mail.id).update(status=DEAD, last_error=reason, secret=None)
    else:
        log.warning("mail %s: try %s failed (%s), retried later", mail.id, mail.attempts,
                    _kind(error))
        await OutboxMail.filter(id=mail.id).update(
            next_attempt_at=now + backoff(mail.attempts), last_error=reason
        )


def _kind(error: Exception) -> str:
    cause = error.__cause__ if isinstance(error, PermanentFailure) and error.__cause__ else error
    code = getattr(cause, "code", None)
    return f"{type(cause).__name__} {code}" if isinstance(code, int) else type(cause).__name__


async def deliver_due(
    settings: Settings, *, limit: int = BATCH, now: datetime | None = None
) -> int:
    """One pass: deliver up to ``limit`` due mails. Returns how many were claimed."""
    now = now or clock.now()
    server = smtp_server(settings)
    claimed = await claim_due(now, limit)
    for mail in claimed:
        try:
            if server is not None:
                await send_smtp(mail, settings, server)
        except Exception as error:  # noqa: BLE001 - whatever it was, count the try and go on
            await record_failure(mail, error, now)
        else:
            await record_sent(mail, into_mailbox=server is None)
    return len(claimed)


async def record_sent(mail: OutboxMail, *, into_mailbox: bool) -> None:
    """Sent: its secrets are erased, unless it was delivered into the development mailbox,
    whose bodies are then the whole mail (``mailbox:`` is refused in production)."""
    delivered = {}
    if into_mailbox:
        delivered = dict(zip(("text_body", "html_body"), mail.bodies(), strict=True))
    await OutboxMail.filter(id=mail.id).update(
        status=SENT, sent_at=clock.now(), last_error="", secret=None, **delivered
    )


async def run_worker(
    settings: Settings, *, poll_seconds: float | None = None, beat=lambda: None
) -> None:
    """Deliver the outbox until cancelled: straight on while there is a backlog, else every
    ``poll_seconds`` (ESPACE_MAIL_POLL_SECONDS on a test server, else ``POLL_SECONDS``). A
    failing pass (database down…) is logged and tried again. ``beat`` is called after each
    pass that went through (/readyz tells a stuck worker by it)."""
    smtp_server(settings)  # a wrong MAIL_URL fails now, not at every pass
    if poll_seconds is None:
        poll_seconds = settings.mail_poll_seconds or POLL_SECONDS
    while True:
        try:
            claimed = await deliver_due(settings)
            beat()
            if claimed == BATCH:
                continue
        except Exception:
            log.exception("mail delivery pass failed")
        await asyncio.sleep(poll_seconds)
