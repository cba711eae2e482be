"""Attack: read the database (a backup, a leaked dump, an operator's `espace mail list`) and
take the links and passwords it holds (issue: every mail was stored rendered, forever, and a
link rebuilt from a sent row still opened the form).

The mail is delivered to a real SMTP server (aiosmtpd) on loopback, as in production; then
every column of every table is searched for the secret the member received.
"""

from __future__ import annotations

import dataclasses
import email
import email.policy
import json
import re
import socket
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from accounts_support import MSS_EMAIL, make_account, post_form
from aiosmtpd.controller import Controller
from espace_prive_support import (
    CONTACT,
    submit,
    through_contact,
    through_password,
    through_verification,
)
from espace_prive_support import make_member as make_prive_member
from mss_support import Visitor
from mss_support import make_member as make_mss_member
from tortoise import Tortoise

from web.accounts.models import Token
from web.accounts.service import canonical_provisional, create_account
from web.branding import DEFAULT_PORTALS
from web.mail.models import Letter, OutboxMail
from web.mail.outbox import retry_mail
from web.mail.worker import deliver_due
from web.operations.housekeeping import purge
from web.portals import journey
from web.portals.espace_prive.letters import export_letters
from web.portals.registry import offline_links


def now() -> datetime:
    return datetime.now(UTC)


PROVISIONAL_RE = re.compile(r"[a-z2-9]{4}(?:-[a-z2-9]{4}){6}")


class Inbox:
    """What an SMTP server on loopback received (``reply`` to DATA: 250, or a refusal)."""

    def __init__(self, reply: str = "250 OK") -> None:
        self.reply = reply
        self.texts: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.texts.append(message.get_body(("plain",)).get_content())
        return self.reply


@pytest.fixture(autouse=True)
def no_fill_delay(monkeypatch):
    monkeypatch.setattr(journey, "MIN_FILL_SECONDS", 0)


@pytest.fixture
def smtp(settings):
    """(settings sending to it, its inbox) for a real SMTP server on a free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield dataclasses.replace(settings, mail_url=f"smtp://127.0.0.1:{port}"), inbox
    controller.stop()


async def tables_holding(secret: str) -> list[str]:
    """``table.column`` of every value, in every table of every model, that contains
    ``secret``."""
    found = []
    for model in Tortoise.apps["models"].values():
        for row in await model.all().values():
            for column, value in row.items():
                text = value if isinstance(value, str) else json.dumps(value, default=str)
                if secret in text:
                    found.append(f"{model._meta.db_table}.{column}")
    return found


async def test_a_sent_set_password_link_is_nowhere_in_the_database(client, smtp):
    settings, inbox = smtp
    await make_mss_member()
    visitor = Visitor(client)
    await visitor.ready()
    assert (await visitor.register()).status_code == 303
    assert await deliver_due(settings) == 1
    link = re.search(r"https?://\S+/mss/password/([\w-]+)", inbox.texts[0])
    token, path = link.group(1), urlsplit(link.group(0)).path
    assert await tables_holding(token) == []
    sent = await OutboxMail.get(template="set_password")
    assert sent.status == "sent" and "/mss/password/" not in sent.text_body + sent.html_body
    assert 'id="password-form"' in (await client.get(path)).text  # the mail's link works


async def test_a_link_rebuilt_from_a_sent_row_opens_nothing(client, smtp):
    settings, _inbox = smtp
    await make_mss_member()
    visitor = Visitor(client)
    await visitor.ready()
    await visitor.register()
    await deliver_due(settings)
    sent = await OutboxMail.get(template="set_password")
    rebuilt = [f"/mss/password/{token.token_hash}" for token in await Token.all()]
    for row_text in (sent.text_body, sent.html_body, json.dumps(sent.secret)):
        rebuilt += re.findall(r"/mss/password/[^\s\"<]+", row_text)
    for path in rebuilt:
        assert 'id="password-form"' not in (await client.get(path)).text


async def test_a_sent_provisional_password_is_nowhere_in_the_database(client, smtp):
    settings, inbox = smtp
    await make_prive_member()
    await through_password(client)
    await submit(client, "/terms")
    assert await deliver_due(settings) == 2  # the email's code, then the password
    password = PROVISIONAL_RE.search(inbox.texts[1]).group(0)
    assert await tables_holding(password) == []
    assert await tables_holding(canonical_provisional(password)) == []


async def test_a_sent_reset_link_is_nowhere_in_the_database(client, smtp):
    settings, inbox = smtp
    await make_account()
    await post_form(client, "/mss/forgot", {"login": MSS_EMAIL})
    assert await deliver_due(settings) == 1
    token = re.search(r"/mss/reset/([\w-]+)", inbox.texts[0]).group(1)
    assert await tables_holding(token) == []


async def test_a_refused_mail_keeps_no_link_and_is_not_sent_again_without_it(client, smtp):
    settings, inbox = smtp
    inbox.reply = "550 5.1.1 No such user here"
    await make_account()
    await post_form(client, "/mss/forgot", {"login": MSS_EMAIL})
    await deliver_due(settings)
    dead = await OutboxMail.get(template="reset_password")
    assert dead.status == "dead" and dead.secret is None
    assert "/mss/reset/" not in dead.text_body + dead.html_body
    assert await retry_mail(dead.id) == "secret_lost"  # the member asks for a new link
    assert (await OutboxMail.get(id=dead.id)).status == "dead"


async def test_purge_deletes_sent_and_dead_mail_after_the_links_lifetime(db):
    for name, status, age in (("old sent", "sent", 25), ("old dead", "dead", 25),
                              ("old pending", "pending", 25), ("new sent", "sent", 23)):
        mail = await OutboxMail.create(to="x@example.org", subject=name, text_body="t",
                                       html_body="h", template="password_changed",
                                       language="fr", status=status, next_attempt_at=now())
        await OutboxMail.filter(id=mail.id).update(created_at=now() - timedelta(hours=age))
    assert (await purge())["mails"] == 2
    kept = {mail.subject for mail in await OutboxMail.all()}
    assert kept == {"old pending", "new sent"}


async def test_an_exported_letters_password_is_only_in_the_file_to_print(db, tmp_path):
    member = await make_prive_member()
    account = await create_account(member, portal="espace-prive", login=member.identifier,
                                   email="", language="fr", policy_version="2026-01")
    await Letter.create(portal="espace-prive", account=account, address=member.address,
                        language="fr")
    links = offline_links("https://espace.example.org", DEFAULT_PORTALS)
    [written] = await export_letters(tmp_path, links=links, portals=DEFAULT_PORTALS)
    password = PROVISIONAL_RE.search(written.read_text("utf-8")).group(0)
    assert await tables_holding(password) == []
    assert await tables_holding(canonical_provisional(password)) == []


async def test_a_sent_email_code_is_nowhere_in_the_database(client, smtp):
    settings, inbox = smtp
    await make_prive_member(email="celine.hoarau@example.org")
    await through_contact(client, contact={**CONTACT, "email": "celine@elsewhere.example"})
    await through_verification(client)
    await submit(client, "/password")  # a code to the typed address, not the registry's
    assert await deliver_due(settings) == 1
    code = re.search(r"\b\d{6}\b", inbox.texts[0]).group(0)
    assert await tables_holding(code) == []
