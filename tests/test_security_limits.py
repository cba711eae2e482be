"""Attempt counters: rules, back-off, ceilings, and attempts sent all at once (reserved before
they are checked, counted only when they fail)."""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta

import pytest
from tortoise.transactions import in_transaction

from web.clock import now
from web.security import limits
from web.security.models import AttemptCounter

RULE = limits.Rule(limit=3, window=timedelta(minutes=30), lockout=timedelta(minutes=30))
KEY = "test:key"


async def fail(rules) -> limits.Locked | None:
    return await (await limits.admit(rules)).count()


async def age(key: str, **ago: timedelta) -> None:
    """Move a counter's times back, as if that much time had passed."""
    counter = await AttemptCounter.get(key=key)
    for field, delta in ago.items():
        if getattr(counter, field) is not None:
            setattr(counter, field, getattr(counter, field) - delta)
    await counter.save()


async def test_the_failure_that_reaches_the_limit_says_when_the_lock_ends(db):
    assert await fail({KEY: RULE}) is None
    assert await fail({KEY: RULE}) is None
    locked = await fail({KEY: RULE})
    assert locked and timedelta(minutes=29) < locked.until - limits.now() <= RULE.lockout
    assert not locked.ceiling
    with pytest.raises(limits.Locked):
        await limits.admit({KEY: RULE})
    assert await limits.failures(KEY) == 3  # a refused attempt counts nothing


async def test_a_success_counts_nothing(db):
    await fail({KEY: RULE})
    await fail({KEY: RULE})
    await (await limits.admit({KEY: RULE})).refund()
    assert await limits.failures(KEY) == 2
    assert await limits.locked_until(KEY) is None


async def test_a_lock_on_any_key_refuses_and_reserves_on_none(db):
    other = "test:other"
    for _ in range(3):
        await fail({other: RULE})
    with pytest.raises(limits.Locked):
        await limits.admit({KEY: RULE, other: RULE})
    assert not await AttemptCounter.filter(key=KEY, pending__gt=0).exists()


async def test_a_window_that_passed_starts_the_count_again(db):
    await fail({KEY: RULE})
    await fail({KEY: RULE})
    await age(KEY, window_started_at=timedelta(hours=1))
    assert await fail({KEY: RULE}) is None
    assert await limits.failures(KEY) == 1


async def test_the_end_of_a_lockout_never_wipes_the_count(db):
    """Past the limit, one more try after each lockout, not a fresh set of tries."""
    rule = limits.Rule(limit=3, window=timedelta(hours=24), lockout=timedelta(minutes=30))
    for _ in range(3):
        await fail({KEY: rule})
    await age(KEY, locked_until=timedelta(minutes=31), window_started_at=timedelta(minutes=31))
    assert await fail({KEY: rule}) is not None  # the 4th failure locks again at once
    assert await limits.failures(KEY) == 4


async def test_at_its_ceiling_a_key_stays_locked_until_the_window_ends(db):
    rule = limits.VERIFICATION_MEMBER
    locked = None
    for failure in range(rule.ceiling):
        if failure:
            await age(KEY, locked_until=timedelta(minutes=31))
        locked = await fail({KEY: rule})
    assert locked.ceiling
    counter = await AttemptCounter.get(key=KEY)
    assert locked.until == counter.window_started_at + rule.window


async def test_a_back_off_doubles_up_to_its_longest(db):
    rule = limits.Rule(limit=2, window=timedelta(days=1), lockout=timedelta(minutes=1),
                       longest=timedelta(minutes=3))
    assert [rule.lockout_after(n) for n in range(1, 6)] == [
        None, timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=3),
        timedelta(minutes=3)]


async def test_attempts_sent_together_check_no_more_than_the_limit(db):
    """Wrong guesses all at once: no more are checked than the rule lets fail."""
    checked = 0

    async def guess() -> bool:
        nonlocal checked
        try:
            attempt = await limits.admit({KEY: RULE})
        except limits.Locked:
            return False
        checked += 1
        await asyncio.sleep(0.01)  # the guess is checked meanwhile (a password, an answer)
        await attempt.count()
        return True

    await asyncio.gather(*(guess() for _ in range(20)))
    assert checked == RULE.limit
    assert await limits.failures(KEY) == RULE.limit


async def test_right_attempts_sent_together_all_pass(db):
    """Twenty correct attempts at the same moment: they wait for each other, none fails."""

    async def right() -> str:
        try:
            attempt = await limits.admit({KEY: RULE})
        except limits.Locked:
            return "locked"
        await asyncio.sleep(0.01)
        await attempt.refund()
        return "passed"

    outcomes = await asyncio.gather(*(right() for _ in range(20)))
    assert outcomes == ["passed"] * 20
    assert not await AttemptCounter.exists(key=KEY)


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"),
                    reason="two transactions at once need PostgreSQL")
async def test_a_counter_made_and_deleted_by_another_worker_meanwhile_is_made_again(
        db, monkeypatch):
    """While this attempt makes its missing counter, another worker's attempt on the same key
    makes it first, ends and deletes it (as twenty right attempts at once do): this attempt
    still gets its counter, never a server error. (The interleaving that a look, then an
    insert, then a second look missed; the next test holds the one upsert to the same.)"""
    steps = [asyncio.Event() for _ in range(4)]

    async def other_worker():  # created outside the attempt's transaction
        await steps[0].wait()
        await AttemptCounter.create(key=KEY, window_started_at=now())
        steps[1].set()
        await steps[2].wait()
        await AttemptCounter.filter(key=KEY).delete()
        steps[3].set()

    other = asyncio.create_task(other_worker())
    bulk_create = AttemptCounter.bulk_create

    async def interleaved(*args, **kwargs):
        steps[0].set()
        await steps[1].wait()
        made = await bulk_create(*args, **kwargs)
        steps[2].set()
        await steps[3].wait()
        return made

    monkeypatch.setattr(AttemptCounter, "bulk_create", interleaved)
    attempt = await asyncio.wait_for(limits.admit({KEY: RULE}), 10)
    other.cancel()
    assert (await AttemptCounter.get(key=KEY)).pending == 1
    await attempt.refund()
    assert not await AttemptCounter.exists(key=KEY)


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"),
                    reason="two transactions at once need PostgreSQL")
async def test_a_counter_deleted_while_an_attempt_waits_for_its_lock_is_made_again(db):
    """Another worker holds the counter's row (its attempt is being reported) and deletes it
    (nothing left to count): the attempt waiting for the row gets a new counter."""
    await AttemptCounter.create(key=KEY, window_started_at=now())
    holding, release = asyncio.Event(), asyncio.Event()

    async def other_worker():  # created outside the attempt's transaction
        async with in_transaction() as connection:
            await AttemptCounter.filter(key=KEY).select_for_update().using_db(connection)
            holding.set()
            await release.wait()
            await AttemptCounter.filter(key=KEY).using_db(connection).delete()

    other = asyncio.create_task(other_worker())
    await asyncio.wait_for(holding.wait(), 10)
    attempt = asyncio.create_task(limits.admit({KEY: RULE}))
    await asyncio.sleep(0.3)
    assert not attempt.done()  # it waits for the row the other worker holds
    release.set()
    await asyncio.wait_for(other, 10)
    await (await asyncio.wait_for(attempt, 10)).refund()
    assert not await AttemptCounter.exists(key=KEY)


async def test_an_attempt_never_reported_counts_as_a_failure(db):
    await limits.admit({KEY: RULE})  # the worker died while checking
    await age(KEY, pending_until=limits.RESERVATION + timedelta(seconds=1))
    await fail({KEY: RULE})
    assert await limits.failures(KEY) == 2


async def test_busy_when_attempts_in_flight_never_end(db, monkeypatch):
    monkeypatch.setattr(limits, "WAIT_SECONDS", 0.05)
    for _ in range(RULE.limit):
        await limits.admit({KEY: RULE})
    with pytest.raises(limits.Busy):
        await limits.admit({KEY: RULE})


async def test_clear_keeps_the_reservations_in_flight(db):
    await fail({KEY: RULE})
    attempt = await limits.admit({KEY: RULE})
    await limits.clear(KEY)
    assert await limits.failures(KEY) == 0
    await attempt.count()
    assert await limits.failures(KEY) == 1


@pytest.mark.parametrize(("lang", "said"), [("fr", "Réessayez dans 24 heures."),
                                            ("en", "Try again in 24 hours.")])
def test_a_long_pause_is_said_in_hours_not_in_minutes(lang, said):
    """A lock of a day (a ceiling) reads "24 hours", not "1440 min"; under two hours, minutes
    rounded up (never sooner than the lock ends)."""
    from web import i18n
    from web.portals import journey

    with i18n.use_language(lang):
        day = journey.registration_limit_message(limits.Locked(now() + timedelta(hours=24)))
        soon = journey.registration_limit_message(limits.Locked(now() + timedelta(seconds=70)))
    assert said in day.replace("\xa0", " ") and "1440" not in day
    assert ("2 minutes." in soon) and "min." not in soon.replace("minutes.", "")
