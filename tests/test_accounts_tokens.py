"""Single-use link tokens and provisional passwords: hashed, expiring, replaced, spent once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from accounts_support import make_account

from web.accounts import service, tokens
from web.accounts.models import Token
from web.security.digests import digest


async def test_only_the_hash_is_stored_and_the_token_is_long(db):
    account = await make_account(password=None)
    raw = await tokens.issue_token(account, tokens.RESET)
    assert len(raw) >= 43  # 256 bits in URL-safe base64
    stored = await Token.get(account_id=account.pk)
    assert stored.token_hash == digest(raw) and raw not in stored.token_hash
    assert stored.expires_at - stored.created_at >= timedelta(hours=23, minutes=59)


async def test_peek_does_not_spend_and_spend_is_single_use(db):
    account = await make_account(password=None)
    raw = await tokens.issue_token(account, tokens.RESET)
    for _ in range(3):
        assert (await tokens.peek_token(raw, tokens.RESET)).account.pk == account.pk
    spent = await tokens.spend_token(raw, tokens.RESET)
    assert spent is not None and spent.used_at is not None and spent.account.pk == account.pk
    assert await tokens.spend_token(raw, tokens.RESET) is None
    assert await tokens.peek_token(raw, tokens.RESET) is None


async def test_expired_tokens_do_nothing(db):
    account = await make_account(password=None)
    raw = await tokens.issue_token(account, tokens.RESET, lifetime=timedelta(seconds=-1))
    assert await tokens.peek_token(raw, tokens.RESET) is None
    assert await tokens.spend_token(raw, tokens.RESET) is None


async def test_a_new_token_replaces_the_unused_ones_of_its_purpose(db):
    account = await make_account(password=None)
    first = await tokens.issue_token(account, tokens.RESET)
    other_purpose = await tokens.issue_token(account, tokens.SET_PASSWORD)
    second = await tokens.issue_token(account, tokens.RESET)
    assert await tokens.peek_token(first, tokens.RESET) is None
    assert await tokens.peek_token(second, tokens.RESET) is not None
    assert await tokens.peek_token(other_purpose, tokens.SET_PASSWORD) is not None


async def test_concurrent_spends_have_one_winner(db):
    account = await make_account(password=None)
    raw = await tokens.issue_token(account, tokens.RESET)
    results = await asyncio.gather(*(tokens.spend_token(raw, tokens.RESET) for _ in range(5)))
    assert sum(result is not None for result in results) == 1


async def test_garbage_tokens(db):
    for raw in ["", "x" * 10_000, "\x00", "<script>", "' OR 1=1 --", "密码"]:
        assert await tokens.peek_token(raw, tokens.RESET) is None
        assert await tokens.spend_token(raw, tokens.RESET) is None


async def test_purge_deletes_old_tokens(db):
    account = await make_account(password=None)
    await tokens.issue_token(account, tokens.RESET, lifetime=timedelta(days=-2))
    await tokens.issue_token(account, tokens.SET_PASSWORD)
    assert await tokens.purge_tokens() == 1
    assert await Token.all().count() == 1


async def test_provisional_password_is_readable_strong_and_stored_hashed(db):
    account = await make_account("espace-prive", password=None)
    raw = await service.issue_provisional_password(account)
    symbols = raw.replace("-", "")
    assert len(symbols) == 28 and set(symbols) <= set(service.PROVISIONAL_ALPHABET)
    assert len(set(service.PROVISIONAL_ALPHABET)) ** 28 >= 2**128
    await account.refresh_from_db()
    assert account.password_state == service.PROVISIONAL
    assert account.password_hash.startswith("$argon2id$") and symbols not in account.password_hash
    assert (
        timedelta(days=6, hours=23)
        < account.password_expires_at - service.now()
        <= timedelta(days=7)
    )
    # Typed with or without dashes, in capitals: it works.
    for typed in (raw, symbols.upper(), " ".join(raw.split("-"))):
        assert await service.authenticate("espace-prive", account.login, typed) is not None
    assert await service.issue_provisional_password(account) != raw
