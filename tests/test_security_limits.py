"""Attempt counters: rules, back-off, and attempts sent all at once (admitted before checked)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from web.security import limits
from web.security.models import AttemptCounter

RULE = limits.Rule(limit=3, window=timedelta(minutes=30), lockout=timedelta(minutes=30))
KEY = "test:key"


async def test_the_attempt_that_reaches_the_limit_says_when_the_lock_ends(db):
    assert await limits.admit({KEY: RULE}) is None
    assert await limits.admit({KEY: RULE}) is None
    until = await limits.admit({KEY: RULE})
    assert until is not None and timedelta(minutes=29) < until - limits.now() <= RULE.lockout
    with pytest.raises(limits.Locked):
        await limits.admit({KEY: RULE})
    assert await limits.failures(KEY) == 3  # a refused attempt counts nothing


async def test_a_refund_uncounts_a_success_and_lifts_the_lock_it_set(db):
    await limits.admit({KEY: RULE})
    await limits.admit({KEY: RULE})
    assert await limits.admit({KEY: RULE}) is not None  # would lock, if it failed
    await limits.refund({KEY: RULE})  # it succeeded
    assert await limits.failures(KEY) == 2
    assert await limits.locked_until(KEY) is None


async def test_a_lock_on_any_key_refuses_and_counts_on_none(db):
    other = "test:other"
    for _ in range(3):
        await limits.admit({other: RULE})
    with pytest.raises(limits.Locked):
        await limits.admit({KEY: RULE, other: RULE})
    assert await limits.failures(KEY) == 0


async def test_a_window_that_passed_starts_the_count_again(db):
    await limits.admit({KEY: RULE})
    await limits.admit({KEY: RULE})
    counter = await AttemptCounter.get(key=KEY)
    counter.window_started_at = limits.now() - timedelta(hours=1)
    await counter.save()
    assert await limits.admit({KEY: RULE}) is None
    assert await limits.failures(KEY) == 1


async def test_attempts_sent_together_pass_no_more_than_the_limit(db):
    async def attempt() -> bool:
        try:
            await limits.admit({KEY: RULE})
        except limits.Locked:
            return False
        await asyncio.sleep(0.01)  # the guess is checked meanwhile (a password, an answer)
        return True

    admitted = await asyncio.gather(*(attempt() for _ in range(20)))
    assert sum(admitted) == RULE.limit
