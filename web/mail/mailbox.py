"""Development mailbox: the outbox as pages, so a journey can be finished without an SMTP
server. Mounted at /dev/mailbox in development only (web/app.py): production has no such URL.

The text part is shown with its links made clickable. The HTML part is never put inside a page
(the page CSP forbids its inline styles): it is served alone, under a CSP of its own that allows
nothing but inline styles and data: images, sandboxed.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from web.i18n import gettext as _
from web.mail.models import OutboxMail
from web.mail.outbox import DEAD, PENDING, SENT, recent_mail, valid_id
from web.rendering import render

SHOWN = 100
URL_RE = re.compile(r"https?://[^\s<>\"']+")
TRAILING = ".,;:!?)]}"
HTML_PART_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox"
)


def linkify(text: str) -> Markup:
    """``text`` escaped, each http(s) address made a link (trailing punctuation left out)."""
    out, position = [], 0
    for match in URL_RE.finditer(text):
        url = match.group(0).rstrip(TRAILING)
        out.append(escape(text[position : match.start()]))
        out.append(Markup('<a href="{0}">{0}</a>').format(url))
        position = match.start() + len(url)
    out.append(escape(text[position:]))
    return Markup("").join(out)


def status_label(status: str) -> str:
    return {PENDING: _("Waiting to be sent"), SENT: _("Sent"), DEAD: _("Failed")}.get(
        status, status
    )


async def _mail_or_404(request: Request) -> OutboxMail:
    # no :int convertor: Starlette's int() of a 10 000-digit id raises (a 500)
    raw = request.path_params["mail_id"]
    mail_id = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 19 else 0
    mail = await OutboxMail.get_or_none(id=mail_id) if valid_id(mail_id) else None
    if mail is None:
        raise HTTPException(404)
    return mail


async def mailbox_list(request: Request) -> Response:
    mails = await recent_mail(limit=SHOWN)
    return render(
        request, "mailbox/list.html", {"mails": mails, "shown": SHOWN, "status_label": status_label}
    )


async def mailbox_mail(request: Request) -> Response:
    mail = await _mail_or_404(request)
    return render(
        request,
        "mailbox/mail.html",
        {"mail": mail, "text": linkify(mail.bodies()[0]), "status_label": status_label},
    )


async def mailbox_mail_html(request: Request) -> Response:
    mail = await _mail_or_404(request)
    return Response(
        mail.bodies()[1],
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": HTML_PART_CSP, "Cache-Control": "no-store"},
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/", mailbox_list, name="list"),
        Route("/{mail_id}.html", mailbox_mail_html, name="mail_html"),
        Route("/{mail_id}", mailbox_mail, name="mail"),
    ]
