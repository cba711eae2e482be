"""The mail outbox: a message is rendered and stored in the caller's transaction, then delivered
by the worker (web/mail/worker.py), so a rolled-back registration sends nothing and an SMTP
outage delays mail without losing it.

A journey adds a message as two templates in ``web/templates/mail/``, both extending the base
layouts (which need ``portal`` in the context, for the sender's name and the support contact)::

    {#- welcome.txt. Context: portal, name, link. -#}
    {% extends "mail/base.txt" %}
    {% block subject %}{{ _("Welcome to %(service)s", service=portal.text("name")) }}{% endblock %}
    {% block body %}
    {{ _("Hello %(name)s,", name=name) }}

    {{ _("To go on, open this link:") }}

    {{ link }}
    {% endblock %}

    {#- welcome.html. Context: portal, name, link. -#}
    {% extends "mail/base.html" %}
    {% block body %}
    {% from "mail/macros.html" import button with context %}
    <p>{{ _("Hello %(name)s,", name=name) }}</p>
    <p>{{ _("To go on, open this link:") }}</p>
    {{ button(link, _("Go on")) }}
    {% endblock %}

and queues it inside the transaction of what it announces::

    async with in_transaction() as connection:
        ...
        await enqueue_mail(account.email, "welcome", language=account.language,
                           context={"portal": portal, "name": name, "link": link},
                           using_db=connection)

The caller gives absolute URLs (``settings.base_url`` + path): a mail has no request. The text
part is not HTML-escaped; the HTML part is. The layouts add the portal's name, the support
contact and (HTML) the subject as the heading; ``button(url, label)`` writes a button-styled
link followed by its address in clear. Filter ``when``: a datetime written out in the mail's
language, in UTC. Templates also get ``lang`` (the language actually used).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache

from babel.dates import format_datetime
from jinja2 import Environment, select_autoescape
from tortoise.backends.base.client import BaseDBAsyncClient

from web.i18n import current_language, use_language
from web.mail.models import OutboxMail
from web.rendering import make_environment

PENDING, SENT, DEAD = "pending", "sent", "dead"
SUBJECT_MAX = OutboxMail._meta.fields_map["subject"].max_length
ADDRESS_MAX = OutboxMail._meta.fields_map["to"].max_length
ID_MAX = 2**63 - 1  # a BIGINT primary key


def valid_id(mail_id: int) -> bool:
    return 0 < mail_id <= ID_MAX


def utc_now() -> datetime:
    return datetime.now(UTC)


def _when(value: datetime) -> str:
    return format_datetime(value, format="long", tzinfo=UTC, locale=current_language.get())


@cache
def mail_environment() -> Environment:
    """The pages' environment (translations, filters), but text parts are plain text."""
    env = make_environment()
    env.autoescape = select_autoescape(["html"], default_for_string=False)
    env.filters["when"] = _when
    return env


def render_mail(template: str, language: str, context: dict) -> tuple[str, str, str]:
    """(subject, text body, HTML body) of ``mail/<template>.txt|.html`` in ``language``."""
    env = mail_environment()
    with use_language(language) as lang:
        values = {**context, "lang": lang}
        text = env.get_template(f"mail/{template}.txt")
        if "subject" not in text.blocks:
            raise LookupError(f"mail/{template}.txt has no subject block")
        subject = "".join(text.blocks["subject"](text.new_context(values)))
        subject = " ".join(subject.split())[:SUBJECT_MAX]
        text_body = re.sub(r"\n{3,}", "\n\n", text.render(values)).strip() + "\n"
        html = env.get_template(f"mail/{template}.html")
        html_body = html.render({**values, "subject": subject}).strip() + "\n"
    return subject, text_body, html_body


async def enqueue_mail(
    to: str,
    template: str,
    *,
    language: str,
    context: dict,
    using_db: BaseDBAsyncClient | None = None,
) -> OutboxMail:
    """Render ``web/templates/mail/<template>.txt`` / ``.html`` in ``language`` and store it,
    due now.

    Pass ``using_db`` (the connection of ``in_transaction()``) so the mail is written in the
    same transaction as what it announces. ``context`` must hold ``portal`` (see the module
    docstring) and what the message templates use.
    """
    to = to.strip()
    if not to or len(to) > ADDRESS_MAX or any(c in to for c in "\r\n\0"):
        raise ValueError("not a deliverable address")
    subject, text_body, html_body = render_mail(template, language, context)
    return await OutboxMail.create(
        to=to,
        subject=subject,
        text_body=text_body,
        html_body=html_body,
        template=template,
        language=language,
        status=PENDING,
        next_attempt_at=utc_now(),
        using_db=using_db,
    )


async def recent_mail(status: str | None = None, limit: int = 50) -> list[OutboxMail]:
    """The latest mail, newest first (optionally only one status)."""
    query = OutboxMail.all() if status is None else OutboxMail.filter(status=status)
    return await query.order_by("-created_at", "-id").limit(limit)


async def retry_mail(mail_id: int) -> str:
    """Put a dead mail back in the queue, due now, with its tries counted afresh.

    Returns ``"retried"``, or why not: ``"missing"``, ``"pending"`` (already queued: the
    worker will try it) or ``"sent"``.
    """
    if not valid_id(mail_id):
        return "missing"
    if await OutboxMail.filter(id=mail_id, status=DEAD).update(
        status=PENDING, attempts=0, next_attempt_at=utc_now()
    ):
        return "retried"
    mail = await OutboxMail.get_or_none(id=mail_id)
    return "missing" if mail is None else mail.status


async def retry_dead() -> int:
    """Put every dead mail back in the queue; returns how many."""
    return await OutboxMail.filter(status=DEAD).update(
        status=PENDING, attempts=0, next_attempt_at=utc_now()
    )
