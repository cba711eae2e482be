"""Single-use link tokens (set password, reset password).

The raw token (256 random bits) only travels in the emailed link; the table keeps its SHA-256.
Opening a link (GET) only peeks at the token; the form's POST spends it, so mail scanners that
follow links do not burn it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from web.accounts.models import Account, Token
from web.clock import now
from web.security.digests import digest, new_secret

SET_PASSWORD = "set_password"  # noqa: S105 - a token purpose
RESET = "reset"
LIFETIME = timedelta(hours=24)
MAX_RAW_LENGTH = 100  # a raw token is 43 characters: anything much longer is not one


async def issue_token(
    account: Account, purpose: str, lifetime: timedelta = LIFETIME, using_db=None
) -> str:
    """A new raw token for ``account``; the account's unused tokens of the same purpose stop
    working (a resend replaces the previous link). Pass ``using_db`` to write it in the
    caller's transaction (with the mail that carries it)."""
    if using_db is None:
        async with in_transaction() as connection:
            return await issue_token(account, purpose, lifetime, connection)
    raw = new_secret()
    await (
        Token.filter(account_id=account.pk, purpose=purpose, used_at__isnull=True)
        .using_db(using_db)
        .delete()
    )
    await Token.create(
        account_id=account.pk,
        purpose=purpose,
        token_hash=digest(raw),
        expires_at=now() + lifetime,
        using_db=using_db,
    )
    return raw


def _usable(raw: str, purpose: str, moment: datetime):
    return Token.filter(
        token_hash=digest(raw), purpose=purpose, used_at__isnull=True, expires_at__gt=moment
    )


async def peek_token(raw: str, purpose: str) -> Token | None:
    """The valid (unused, unexpired) token, with its account, without spending it: for a GET
    that only shows the form."""
    if not raw or len(raw) > MAX_RAW_LENGTH:
        return None
    return await _usable(raw, purpose, now()).prefetch_related("account").first()


async def spend_token(raw: str, purpose: str) -> Token | None:
    """Mark the token used and return it (with its account), or None when it is unknown,
    expired or already used. Atomic: of two concurrent calls, only one gets the token."""
    if not raw or len(raw) > MAX_RAW_LENGTH:
        return None
    moment = now()
    if await _usable(raw, purpose, moment).update(used_at=moment) != 1:
        return None
    return await Token.get(token_hash=digest(raw)).prefetch_related("account")


async def discard_tokens(account: Account, using_db=None) -> None:
    """Every unused token of the account stops working (its password was just set)."""
    await Token.filter(account_id=account.pk, used_at__isnull=True).using_db(using_db).delete()


async def purge_tokens(older_than: timedelta = timedelta(days=1)) -> int:
    """Delete tokens expired or used more than ``older_than`` ago (for `espace purge`)."""
    cutoff = now() - older_than
    return (
        await Token.filter(expires_at__lt=cutoff).delete()
        + await Token.filter(used_at__lt=cutoff).delete()
    )
