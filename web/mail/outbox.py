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
    <p>{{ _("To go on, open this link:") }}</p>
    {{ button(link, _("Go on")) }}
    {% endblock %}

(the HTML layout greets ``name`` and gives ``button``, the mail_button component in the
portal's colour ``accent``),

and queues it inside the transaction of what it announces::

    async with in_transaction() as connection:
        ...
        await enqueue_mail(account.email, "welcome", language=account.language,
                           context={"portal": portal, "name": name}, secret={"link": link},
                           using_db=connection)

A value that opens an account (a link with its token, a provisional password) goes in
``secret``, not ``context``: the stored bodies get a mark in its place (``[secret:link]``), the
value is kept apart in ``OutboxMail.secret``, put in at sending, and erased in the very update
that marks the mail sent or dead. So the outbox never holds a usable secret once delivered, and
a dead mail that carried one is not sent again (its link is gone: the member asks for a new
one). In development (``MAIL_URL=mailbox:``) delivery is into the dev mailbox: the bodies keep
the secret there, so the journey can be finished from it; production refuses ``mailbox:``.

The caller gives absolute URLs (``app.state.links``: ``BASE_URL`` + the reversed path): a mail
has no request. The text part is not HTML-escaped; the HTML part is. The layouts add the
portal's name, the support contact and (HTML) the subject as the heading; the ``mail_button``
component writes a button-styled link followed by its address in clear. Filter ``when``: a
datetime written out in the mail's language, in UTC. Templates also get ``lang`` (the
language actually used).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import cache

from babel.dates import format_datetime
from jinja2 import Environment, select_autoescape
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.queryset import QuerySet

from web.clock import now
from web.i18n import current_language, use_language
from web.mail.models import SECRET_MARK, OutboxMail, secret_mark
from web.rendering import make_environment

PENDING, SENT, DEAD = "pending", "sent", "dead"
SECRET_LOST = "secret_lost"  # noqa: S105 - an outcome
SUBJECT_MAX = OutboxMail._meta.fields_map["subject"].max_length
ADDRESS_MAX = OutboxMail._meta.fields_map["to"].max_length
ID_MAX = 2**63 - 1  # a BIGINT primary key


def valid_id(mail_id: int) -> bool:
    return 0 < mail_id <= ID_MAX


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
    secret: dict[str, str] | None = None,
    using_db: BaseDBAsyncClient | None = None,
) -> OutboxMail:
    """Render ``web/templates/mail/<template>.txt`` / ``.html`` in ``language`` and store it,
    due now.

    Pass ``using_db`` (the connection of ``in_transaction()``) so the mail is written in the
    same transaction as what it announces. ``context`` must hold ``portal`` (see the module
    docstring) and what the message templates use; ``secret`` the template values that open
    an account (stored apart, erased once sent).
    """
    to = to.strip()
    if not to or len(to) > ADDRESS_MAX or any(c in to for c in "\r\n\0"):
        raise ValueError("not a deliverable address")
    marks = {name: secret_mark(name) for name in secret or {}}
    subject, text_body, html_body = render_mail(template, language, {**context, **marks})
    return await OutboxMail.create(
        to=to,
        subject=subject,
        text_body=text_body,
        html_body=html_body,
        secret=secret or None,
        template=template,
        language=language,
        status=PENDING,
        next_attempt_at=now(),
        using_db=using_db,
    )


def expired_mail(older_than: timedelta) -> QuerySet[OutboxMail]:
    """Sent and dead mail written more than ``older_than`` ago (`espace purge` deletes it)."""
    return OutboxMail.filter(status__in=(SENT, DEAD), created_at__lt=now() - older_than)


async def recent_mail(status: str | None = None, limit: int = 50) -> list[OutboxMail]:
    """The latest mail, newest first (optionally only one status)."""
    query = OutboxMail.all() if status is None else OutboxMail.filter(status=status)
    return await query.order_by("-created_at", "-id").limit(limit)


async def retry_mail(mail_id: int) -> str:
    """Put a dead mail back in the queue, due now, with its tries counted afresh.

    Returns ``"retried"``, or why not: ``"missing"``, ``"pending"`` (already queued: the
    worker will try it), ``"sent"``, or ``"secret_lost"`` (it carried a link or password,
    erased when it died).
    """
    if not valid_id(mail_id):
        return "missing"
    if await _retriable().filter(id=mail_id).update(
        status=PENDING, attempts=0, next_attempt_at=now()
    ):
        return "retried"
    mail = await OutboxMail.get_or_none(id=mail_id)
    if mail is None:
        return "missing"
    return SECRET_LOST if mail.status == DEAD else mail.status


async def retry_dead() -> int:
    """Put every dead mail that lost no secret back in the queue; returns how many."""
    return await _retriable().update(status=PENDING, attempts=0, next_attempt_at=now())


def _retriable():
    return OutboxMail.filter(status=DEAD).exclude(text_body__contains=SECRET_MARK)
