"""Where the browser tests read the mail a journey sends, as the member would.

``DevMailbox``: the development mailbox of the server under test (/dev/mailbox/), read over
HTTP: the local server's, or a remote deployment running in development. ``SinkMailbox``: what
an SMTP sink received (``--smtp-sink HOST:PORT``: the suite starts an aiosmtpd server there,
storing each message in a Maildir that every xdist worker reads), for a deployment that sends
real mail. Both answer ``latest_id``, ``newest`` and ``show`` the same way.
"""

from __future__ import annotations

import email.policy
import html
import mailbox
import re
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import httpx
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox as MaildirHandler
from playwright.sync_api import Page

from web.mail.models import SECRET_MARK

LINK = re.compile(r"https?://[^\s<>\"']+")


@dataclass
class Mail:
    id: int
    to: str
    subject: str
    text: str
    html: str = ""
    links: list[str] = field(default_factory=list)
    message_id: str = ""


def wait_for(find, address: str, after: int, timeout: float) -> Mail:
    """Poll ``find()`` for the newest mail to ``address`` with an id above ``after`` (mail is
    often sent after the answer that queued it)."""
    deadline = time.monotonic() + timeout
    while True:
        for mail in find():
            if mail.to == address.lower() and mail.id > after:
                return mail
        if time.monotonic() > deadline:
            raise AssertionError(f"no new mail to {address} after {timeout} s")
        time.sleep(0.2)


class DevMailbox:
    """The development mailbox, read as a person would: the list, newest first, then one
    mail's page with its links."""

    ITEM = re.compile(r'<li class="mailbox__item">(.*?)</li>', re.S)
    MAIL_LINK = re.compile(r'href="/dev/mailbox/(\d+)"[^>]*>(.*?)</a>', re.S)
    TEXT = re.compile(r'<pre class="mailbox-text"[^>]*>(.*?)</pre>', re.S)
    HREF = re.compile(r'<a href="([^"]+)"')

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def _get(self, path: str) -> str:
        response = httpx.get(self.base_url + path, timeout=10)
        response.raise_for_status()
        return response.text

    def _list(self) -> list[tuple[int, str, str]]:
        found = []
        for item in self.ITEM.findall(self._get("/dev/mailbox/")):
            link = self.MAIL_LINK.search(item)
            to = re.search(r"[\w.+'-]+@[\w.-]*\w", html.unescape(re.sub(r"<[^>]+>", " ", item)))
            if link and to:
                found.append(
                    (int(link.group(1)), html.unescape(link.group(2)).strip(), to.group(0).lower())
                )
        return found

    def latest_id(self, address: str) -> int:
        """The id of the newest mail to ``address`` (0 when there is none): pass it as
        ``after`` to ``newest`` to wait for the mail an action is about to send."""
        return next((mail_id for mail_id, _s, to in self._list() if to == address.lower()), 0)

    def newest(self, address: str, *, after: int = 0, timeout: float = 10) -> Mail:
        def listed():
            return [Mail(mail_id, to, subject, "") for mail_id, subject, to in self._list()]

        found = wait_for(listed, address, after, timeout)
        deadline = time.monotonic() + timeout
        while SECRET_MARK in (mail := self.read(found.id, found.subject, found.to)).text:
            # Still in the outbox: its secrets (link, password) are put in when delivered.
            if time.monotonic() > deadline:
                raise AssertionError(f"mail {found.id} to {address} not delivered in {timeout} s")
            time.sleep(0.2)
        return mail

    def read(self, mail_id: int, subject: str = "", to: str = "") -> Mail:
        page = self._get(f"/dev/mailbox/{mail_id}")
        match = self.TEXT.search(page)
        assert match, f"mail {mail_id} has no text part"
        links = [html.unescape(href) for href in self.HREF.findall(match.group(1))]
        text = html.unescape(re.sub(r"<[^>]+>", "", match.group(1)))
        return Mail(mail_id, to, subject, text, links=links)

    def show(self, page: Page, mail: Mail) -> None:
        """Open the mail's HTML part in the browser, as a mail client shows it."""
        page.goto(f"{self.base_url}/dev/mailbox/{mail.id}.html")


class SinkMailbox:
    """The Maildir an SMTP sink (``start_sink``) delivers to; ids are the delivery order."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def received(self) -> list[Mail]:
        box = mailbox.Maildir(self.folder, factory=None, create=True)
        mails = []
        for number, key in enumerate(sorted(box.keys(), key=_delivery_order), 1):
            with box.get_file(key) as raw:  # headers may be UTF-8 (SMTPUTF8)
                message = email.message_from_string(raw.read().decode("utf-8", "replace"),
                                                    policy=email.policy.default)
            mails.append(_mail(number, message))
        return mails

    def latest_id(self, address: str) -> int:
        return max((mail.id for mail in self.received() if mail.to == address.lower()),
                   default=0)

    def newest(self, address: str, *, after: int = 0, timeout: float = 20) -> Mail:
        return wait_for(lambda: reversed(self.received()), address, after, timeout)

    def show(self, page: Page, mail: Mail) -> None:
        page.set_content(mail.html or f"<pre>{html.escape(mail.text)}</pre>")


def _delivery_order(key: str) -> tuple[float, str]:
    # Maildir names start "<seconds>.M<microseconds>P…": the time of delivery.
    seconds, _, rest = key.partition(".M")
    micro = rest.split("P", 1)[0]
    return (int(seconds) + int(micro or 0) / 1e6 if seconds.isdigit() else 0.0, key)


def _mail(number: int, message: EmailMessage) -> Mail:
    text = message.get_body(("plain",))
    rich = message.get_body(("html",))
    text = text.get_content() if text else ""
    return Mail(number, message["To"].addresses[0].addr_spec.lower(), str(message["Subject"]),
                text, rich.get_content() if rich else "",
                [link.rstrip(".,;:!?)]}") for link in LINK.findall(text)],
                str(message["Message-ID"] or ""))


def start_sink(host: str, port: int, folder: Path) -> Controller:
    """An SMTP server on ``host:port`` delivering every message to the Maildir ``folder``."""
    for part in ("tmp", "new", "cur"):  # Maildir(create=True) leaves a folder that exists
        (Path(folder) / part).mkdir(parents=True, exist_ok=True)
    controller = Controller(MaildirHandler(folder), hostname=host, port=port)
    controller.start()
    return controller
