"""Operators' housekeeping: unlock a member's identity verification, purge what expired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tortoise.expressions import Q

from web.accounts import tokens
from web.accounts.models import Account, Token
from web.accounts.service import change_password_key, login_key
from web.mail.outbox import purge_mail
from web.portals.drafts import purge_expired_drafts
from web.registry.matching import normalize_identifier
from web.security import limits
from web.security.client import client_group
from web.security.models import AuditEvent, Session
from web.security.sessions import ABSOLUTE_TIMEOUT, IDLE_TIMEOUT

# Spent or expired links are kept a day, so opening one again still explains itself.
TOKEN_GRACE = timedelta(days=1)
# The audit log is kept a year: long enough to investigate, no longer (CNIL's guidance on logs).
AUDIT_RETENTION = timedelta(days=365)


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
    moment = datetime.now(UTC)
    cutoff = moment - TOKEN_GRACE
    return {
        "drafts": await purge_expired_drafts(),
        "tokens": await Token.filter(Q(expires_at__lt=cutoff) | Q(used_at__lt=cutoff)).delete(),
        "sessions": await Session.filter(
            Q(last_seen_at__lt=moment - IDLE_TIMEOUT) | Q(created_at__lt=moment - ABSOLUTE_TIMEOUT)
        ).delete(),
        "attempt_counters": await limits.purge_expired(),
        "audit_events": await AuditEvent.filter(at__lt=moment - AUDIT_RETENTION).delete(),
        # what a mail said is of no use once its link has expired
        "mails": await purge_mail(older_than=tokens.LIFETIME),
    }
