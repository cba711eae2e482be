"""Operators' housekeeping: unlock a member's identity verification, purge what expired."""

from __future__ import annotations

from datetime import timedelta

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from web.accounts import tokens
from web.accounts.models import Account, Token
from web.accounts.service import change_password_key, login_key
from web.clock import now
from web.mail.outbox import expired_mail
from web.portals.drafts import expired_drafts
from web.registry.matching import normalize_identifier
from web.security import limits
from web.security.client import client_group
from web.security.models import AuditEvent, Session
from web.security.sessions import ABSOLUTE_TIMEOUT, IDLE_TIMEOUT

# Spent or expired links are kept a day, so opening one again still explains itself.
TOKEN_GRACE = timedelta(days=1)
# The audit log is kept a year: long enough to investigate, no longer (CNIL's guidance on logs).
AUDIT_RETENTION = timedelta(days=365)
# Rows deleted per statement: the purge holds the write lock (SQLite's is the whole file)
# one batch at a time, and requests go on between batches.
PURGE_BATCH = 500


async def unlock(portal: str, identifier: str, client: str | None = None) -> dict[str, int]:
    """Clear a member's identity-verification failures and log-in back-off (and those of a
    client address); returns the failures each cleared counter had, by kind."""
    identifier = normalize_identifier(identifier)
    member_key, client_key = limits.verification_keys(
        portal, identifier, client_group(client) if client else ""
    )
    keys = {"verification": member_key}
    if client:
        keys["client"] = client_key
    cleared = {}
    for kind, key in keys.items():
        cleared[kind] = await limits.failures(key)
        await limits.clear(key)
    account = await Account.get_or_none(
        portal=portal, member__portal=portal, member__identifier=identifier
    )
    if account:  # its log-in ceiling and every address's back-off on it
        cleared["login"] = await limits.clear_prefix(login_key(portal, account.login))
        await limits.clear(change_password_key(account))
    return cleared


async def purge() -> dict[str, int]:
    """Delete expired drafts, old tokens, expired sessions, old attempt counters, audit
    events past their retention, and sent or dead mail older than a link's lifetime; returns
    how many of each."""
    moment = now()
    cutoff = moment - TOKEN_GRACE
    expired = {
        "drafts": expired_drafts(),
        "tokens": Token.filter(Q(expires_at__lt=cutoff) | Q(used_at__lt=cutoff)),
        "sessions": Session.filter(
            Q(last_seen_at__lt=moment - IDLE_TIMEOUT) | Q(created_at__lt=moment - ABSOLUTE_TIMEOUT)
        ),
        "attempt_counters": limits.expired_counters(),
        "audit_events": AuditEvent.filter(at__lt=moment - AUDIT_RETENTION),
        # what a mail said is of no use once its link has expired
        "mails": expired_mail(older_than=tokens.LIFETIME),
    }
    return {kind: await delete_in_batches(query) for kind, query in expired.items()}


async def delete_in_batches(query: QuerySet) -> int:
    pk = query.model._meta.pk_attr
    deleted = 0
    while keys := await query.limit(PURGE_BATCH).values_list(pk, flat=True):
        deleted += await query.model.filter(**{f"{pk}__in": keys}).delete()
    return deleted
