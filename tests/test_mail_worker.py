"""Delivery: a real SMTP server (aiosmtpd), an outage, refusals, retries, concurrent workers."""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import os
import socket
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from tortoise.transactions import in_transaction

from web.branding import DEFAULT_PORTALS
from web.mail import worker
from web.mail.models import OutboxMail
from web.mail.outbox import enqueue_mail
from web.mail.worker import (
    MAX_ATTEMPTS,
    SmtpServer,
    backoff,
    deliver_due,
    run_worker,
)
from web.settings import Settings

FROM = "Caisse Démo – 李 <no-reply@espace.example.org>"


class Collector:
    """An SMTP handler that keeps what it receives, or answers ``reply`` to DATA."""

    def __init__(self, reply: str = "250 OK", delay: float = 0) -> None:
        self.reply = reply
        self.delay = delay
        self.received: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.reply.startswith("250"):
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.received.append((list(envelope.rcpt_tos), message))
        return self.reply


class RefuseRecipient:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        return "550 5.1.1 No such user here"


class RefuseSender:
    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        return "550 5.7.1 Sender address rejected: not owned by you"


def check_password(server, session, envelope, mechanism, auth_data):
    """aiosmtpd's authenticator: only user / right (what a wrong MAIL_URL gets: 535)."""
    right = (auth_data.login, auth_data.password) == (b"user", b"right")
    return AuthResult(success=right, handled=False)  # handled=False: aiosmtpd answers 235/535


async def refuse_greeting(reader, writer):
    """A server that says no at once (aiosmtpd always greets with 220)."""
    writer.write(b"554 5.3.2 No SMTP service here\r\n")
    await writer.drain()
    writer.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(handler, port: int, **options) -> Controller:
    controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    return controller


@contextlib.asynccontextmanager
async def refusing_server(refusal: str, port: int):
    if refusal == "greeting":
        async with await asyncio.start_server(refuse_greeting, "127.0.0.1", port):
            yield
        return
    if refusal == "auth":
        controller = start_server(
            Collector(), port, authenticator=check_password, auth_require_tls=False
        )
    else:
        controller = start_server(RefuseSender(), port)
    try:
        yield
    finally:
        controller.stop()


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def smtp_settings(settings: Settings, port: int) -> Settings:
    return replace(settings, mail_url=f"smtp://127.0.0.1:{port}", mail_from=FROM)


@pytest.fixture
def server(port: int) -> Iterator[Collector]:
    handler = Collector()
    controller = start_server(handler, port)
    yield handler
    controller.stop()


async def queue(to="zoe@example.org", language="fr") -> OutboxMail:
    return await enqueue_mail(
        to,
        "password_changed",
        language=language,
        context={
            "portal": DEFAULT_PORTALS["mss"],
            "name": "Zoë Lefèvre-N'Diaye 李",
            "changed_at": datetime(2026, 3, 14, 10, 5, tzinfo=UTC),
            "first_password": False,
            "login_url": "https://espace.example.org/mss/login",
            "forgot_url": "https://espace.example.org/mss/forgot",
        },
    )


async def fetch(mail: OutboxMail) -> OutboxMail:
    return await OutboxMail.get(id=mail.id)


async def test_a_real_smtp_server_receives_the_multipart_message(db, smtp_settings, server):
    mail = await queue()
    assert await deliver_due(smtp_settings) == 1
    assert len(server.received) == 1
    recipients, message = server.received[0]
    assert recipients == ["zoe@example.org"]
    assert message["To"] == "zoe@example.org"
    assert message["From"] == FROM  # a UTF-8 display name, RFC 2047-encoded on the wire
    assert message["Subject"] == "Le mot de passe de votre compte Espace Client a été modifié"
    assert message["Message-ID"] == (
        f"<outbox.{mail.id}.{int(mail.created_at.timestamp())}@espace.example.org>"
    )
    assert email.utils.parsedate_to_datetime(message["Date"]).tzinfo is not None
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    text, html = message.iter_parts()
    assert text.get_content_type() == "text/plain" and text.get_content_charset() == "utf-8"
    assert html.get_content_type() == "text/html" and html.get_content_charset() == "utf-8"
    assert text.get_content().replace("\r\n", "\n") == mail.text_body
    assert "Bonjour Zoë Lefèvre-N'Diaye 李," in text.get_content()
    assert html.get_content().replace("\r\n", "\n") == mail.html_body
    sent = await fetch(mail)
    assert (sent.status, sent.attempts, sent.last_error) == ("sent", 1, "")
    assert sent.sent_at is not None


async def test_nothing_due_nothing_sent(db, smtp_settings, server):
    assert await deliver_due(smtp_settings) == 0
    mail = await queue()
    assert await deliver_due(smtp_settings) == 1
    assert await deliver_due(smtp_settings) == 0  # a sent mail is not sent again
    assert len(server.received) == 1
    assert (await fetch(mail)).status == "sent"


async def test_smtp_down_then_up_delivers_later_and_loses_nothing(db, smtp_settings, port):
    mails = [await queue(to=f"member{i}@example.org") for i in range(3)]
    start = datetime.now(UTC)
    assert await deliver_due(smtp_settings, now=start) == 3  # nothing listens on the port
    for mail in mails:
        failed = await fetch(mail)
        assert (failed.status, failed.attempts) == ("pending", 1)
        assert "SMTPConnect" in failed.last_error
        assert "Bonjour" not in failed.last_error
        assert failed.next_attempt_at >= start + backoff(1) - timedelta(seconds=1)

    handler = Collector()
    controller = start_server(handler, port)
    try:
        # the back-off is respected: not due a second before its time
        assert await deliver_due(smtp_settings, now=start + backoff(1) - timedelta(seconds=1)) == 0
        assert await deliver_due(smtp_settings, now=start + backoff(1) + timedelta(seconds=1)) == 3
    finally:
        controller.stop()
    assert sorted(r[0][0] for r in handler.received) == [m.to for m in mails]
    for mail in mails:
        sent = await fetch(mail)
        assert (sent.status, sent.attempts) == ("sent", 2)


async def test_a_permanent_refusal_kills_the_mail_at_once(db, smtp_settings, port):
    handler = Collector(reply="550 5.7.1 Message rejected")
    controller = start_server(handler, port)
    try:
        mail = await queue()
        assert await deliver_due(smtp_settings) == 1
    finally:
        controller.stop()
    dead = await fetch(mail)
    assert (dead.status, dead.attempts) == ("dead", 1)
    assert "550" in dead.last_error


async def test_a_refused_recipient_kills_the_mail(db, smtp_settings, port):
    controller = start_server(RefuseRecipient(), port)
    try:
        mail = await queue(to="nobody@example.org")
        await deliver_due(smtp_settings)
    finally:
        controller.stop()
    dead = await fetch(mail)
    assert dead.status == "dead" and "550" in dead.last_error


async def test_the_log_says_why_without_the_address(db, smtp_settings, port, caplog):
    """The server's answer quotes the recipient: the log line keeps only the kind of error
    (the outbox keeps the whole reason for `espace mail list`)."""
    controller = start_server(RefuseRecipient(), port)
    try:
        mail = await queue(to="nobody@example.org")
        with caplog.at_level("WARNING", logger="espace.mail"):
            await deliver_due(smtp_settings)
    finally:
        controller.stop()
    assert f"mail {mail.id} dead after 1 tries (SMTPRecipientsRefused)" in caplog.text
    assert "nobody@example.org" not in caplog.text
    assert "nobody@example.org" in (await fetch(mail)).last_error


async def test_an_address_smtp_cannot_carry_kills_the_mail(db, smtp_settings, server):
    mail = await queue()
    await OutboxMail.filter(id=mail.id).update(to="two words@example.org")  # bypassing enqueue
    assert await deliver_due(smtp_settings) == 1
    dead = await fetch(mail)
    assert (dead.status, dead.attempts) == ("dead", 1)
    assert server.received == []


async def test_transient_refusals_back_off_and_die_after_eight_tries(db, smtp_settings, port):
    handler = Collector(reply="451 4.3.0 Try again later")
    controller = start_server(handler, port)
    delays = []
    try:
        mail = await queue()
        now = datetime.now(UTC)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            assert await deliver_due(smtp_settings, now=now) == 1, attempt
            current = await fetch(mail)
            assert current.attempts == attempt and "451" in current.last_error
            if attempt < MAX_ATTEMPTS:
                assert current.status == "pending"
                delays.append(current.next_attempt_at - now)
                assert await deliver_due(smtp_settings, now=now) == 0  # not before its time
                now = current.next_attempt_at
    finally:
        controller.stop()
    assert current.status == "dead"
    assert await deliver_due(smtp_settings, now=now + timedelta(days=30)) == 0
    minutes = [round(d.total_seconds() / 60) for d in delays]
    assert minutes == [1, 5, 15, 60, 180, 480, 720]
    assert sum(delays, timedelta()) >= timedelta(days=1)  # an outage of a day loses nothing


@pytest.mark.parametrize(
    ("refusal", "code"), [("auth", "535"), ("sender", "550"), ("greeting", "554")]
)
async def test_a_refusal_of_the_server_or_the_configuration_is_retried(
    db, smtp_settings, port, refusal, code
):
    """A 5xx that is not about this mail (a wrong MAIL_URL password, a sender the server does
    not take, a server out of service) would refuse every mail: it is retried, not fatal."""
    settings = smtp_settings
    if refusal == "auth":
        settings = replace(smtp_settings, mail_url=f"smtp://user:wrong@127.0.0.1:{port}")
    mails = [await queue(to=f"member{i}@example.org") for i in range(2)]
    start = datetime.now(UTC)
    async with refusing_server(refusal, port):
        assert await deliver_due(settings, now=start) == 2
    for mail in mails:
        failed = await fetch(mail)
        assert (failed.status, failed.attempts) == ("pending", 1), failed.last_error
        assert code in failed.last_error
        assert failed.next_attempt_at == start + backoff(1)
    # fixed (the right password, another sender…): the queue goes out at the next try
    fixed = replace(settings, mail_url=settings.mail_url.replace(":wrong@", ":right@"))
    handler = Collector()
    controller = start_server(
        handler, port, authenticator=check_password, auth_require_tls=False
    )
    try:
        assert await deliver_due(fixed, now=start + backoff(1)) == 2
    finally:
        controller.stop()
    assert sorted(r[0][0] for r in handler.received) == [m.to for m in mails]
    assert await OutboxMail.filter(status="sent", attempts=2).count() == 2


async def test_two_workers_deliver_each_mail_once(db, smtp_settings, port):
    handler = Collector(delay=0.01)
    controller = start_server(handler, port)
    try:
        mails = [await queue(to=f"m{i:02}@example.org") for i in range(12)]

        async def one_worker() -> int:
            handled = 0
            while count := await deliver_due(smtp_settings, limit=3):
                handled += count
            return handled

        handled = await asyncio.gather(one_worker(), one_worker(), one_worker())
    finally:
        controller.stop()
    assert sum(handled) == 12
    assert sorted(r[0][0] for r in handler.received) == sorted(m.to for m in mails)
    assert await OutboxMail.filter(status="sent", attempts=1).count() == 12


async def test_a_claimed_mail_is_not_taken_again_before_its_lease_ends(db, smtp_settings):
    mail = await queue()
    now = datetime.now(UTC)
    claimed = await worker.claim_due(now, 10)
    assert [m.id for m in claimed] == [mail.id]
    assert await worker.claim_due(now + timedelta(minutes=1), 10) == []
    # a worker that died mid-send: the mail comes back after the lease
    again = await worker.claim_due(now + worker.LEASE + timedelta(seconds=1), 10)
    assert [(m.id, m.attempts) for m in again] == [(mail.id, 2)]


async def test_mailbox_mode_marks_mail_sent_without_smtp(db, settings):
    assert settings.mail_url == "mailbox:"
    mail = await queue()
    assert await deliver_due(settings) == 1
    sent = await fetch(mail)
    assert (sent.status, sent.attempts) == ("sent", 1)


async def test_the_worker_loop_delivers_and_stops_when_cancelled(db, settings):
    mail = await queue()
    task = asyncio.create_task(run_worker(settings, poll_seconds=0.01))
    try:
        for _ in range(200):
            if (await fetch(mail)).status == "sent":
                break
            await asyncio.sleep(0.01)
        assert (await fetch(mail)).status == "sent"
        assert not task.done()
    finally:
        task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_a_test_server_sets_how_often_the_worker_looks(settings, monkeypatch):
    looks = []

    async def idle(settings):
        looks.append(asyncio.get_running_loop().time())
        return 0

    monkeypatch.setattr(worker, "deliver_due", idle)
    task = asyncio.create_task(run_worker(replace(settings, mail_poll_seconds=0.05)))
    for _ in range(100):
        await asyncio.sleep(0.02)
        if len(looks) > 1:
            break
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert len(looks) > 1 and looks[1] - looks[0] < 1  # not the 3 s of production


async def test_the_worker_loop_survives_a_failing_pass(db, settings, monkeypatch, caplog):
    calls = []
    third_pass = asyncio.Event()

    async def flaky(settings):
        calls.append(1)
        if len(calls) == 3:
            third_pass.set()
        if len(calls) == 1:
            raise OSError("database went away")
        return 0

    monkeypatch.setattr(worker, "deliver_due", flaky)
    task = asyncio.create_task(run_worker(settings, poll_seconds=0.01))
    await asyncio.wait_for(third_pass.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert "mail delivery pass failed" in caplog.text


def test_mail_urls():
    assert SmtpServer.from_url("smtp://mail.example.org:587") == SmtpServer(
        "mail.example.org", 587, None, None, use_tls=False
    )
    assert SmtpServer.from_url("smtps://user%40x:p%3Ass@mail.example.org:465") == SmtpServer(
        "mail.example.org", 465, "user@x", "p:ss", use_tls=True
    )
    assert SmtpServer.from_url("smtp://localhost").port is None
    for wrong in ("http://mail.example.org", "smtp://", "mail.example.org:25"):
        with pytest.raises(ValueError):
            SmtpServer.from_url(wrong)


async def test_the_worker_refuses_a_wrong_mail_url(settings):
    with pytest.raises(ValueError):
        await run_worker(replace(settings, mail_url="ftp://x"))


def test_settings_refuse_an_unknown_mail_url():
    assert any("MAIL_URL" in p for p in Settings(mail_url="ftp://x").problems())
    assert not Settings(mail_url="smtps://u:p@mail.example.org:465").problems()


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="row locks need PostgreSQL")
async def test_a_worker_skips_the_mail_another_one_has_locked(db):
    locked, free = await queue(to="locked@example.org"), await queue(to="free@example.org")
    now = datetime.now(UTC)
    go = asyncio.Event()

    async def other_worker() -> list[OutboxMail]:
        await go.wait()
        return await worker.claim_due(now, 10)

    other = asyncio.create_task(other_worker())  # created outside the transaction below
    async with in_transaction() as connection:
        await OutboxMail.filter(id=locked.id).select_for_update().using_db(connection)
        go.set()
        claimed = await asyncio.wait_for(other, 5)  # skips the locked row instead of waiting
    assert [m.id for m in claimed] == [free.id]
