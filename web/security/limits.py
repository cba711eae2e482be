"""Attempt counters in the database, so they hold across workers.

Each check-and-count runs in a transaction that locks the counter's row
(``SELECT … FOR UPDATE`` on PostgreSQL, the database lock on SQLite). What a guess could
break (a password, an identity) goes through ``admit``: counted before it is checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from web.security.models import AttemptCounter


@dataclass(frozen=True)
class Rule:
    limit: int  # failures allowed within the window before the lockout
    window: timedelta
    lockout: timedelta
    restart_after_lockout = True  # a lockout that ended wipes the count

    def lockout_after(self, count: int) -> timedelta | None:
        return self.lockout if count >= self.limit else None


@dataclass(frozen=True)
class Backoff:
    """From the ``free``-th failure on, each failure pauses the key, twice as long each time:
    ``first``, 2 × ``first``… up to ``longest``. Never a permanent lockout: the count is forgotten
    ``window`` after its first failure, or on ``clear`` (a success)."""

    free: int
    first: timedelta
    longest: timedelta
    window: timedelta
    restart_after_lockout = False

    def lockout_after(self, count: int) -> timedelta | None:
        if count < self.free:
            return None
        return min(self.first * 2 ** min(count - self.free, 16), self.longest)


VERIFICATION = Rule(limit=3, window=timedelta(minutes=30), lockout=timedelta(minutes=30))


class Locked(Exception):
    """Raised when a key is locked; ``until`` says when it opens again."""

    def __init__(self, until: datetime) -> None:
        super().__init__(until.isoformat())
        self.until = until

    @property
    def retry_after(self) -> int:
        return max(1, int((self.until - datetime.now(UTC)).total_seconds()))


def now() -> datetime:
    return datetime.now(UTC)


async def locked_until(key: str) -> datetime | None:
    counter = await AttemptCounter.get_or_none(key=key)
    if counter and counter.locked_until and counter.locked_until > now():
        return counter.locked_until
    return None


async def _locked_counter(connection, key: str) -> AttemptCounter:
    query = AttemptCounter.filter(key=key).using_db(connection)
    counter = await query.select_for_update().first()
    if counter is None:
        try:
            async with in_transaction() as inner:
                await AttemptCounter.create(key=key, window_started_at=now(), using_db=inner)
        except IntegrityError:
            pass  # another worker created it first
        counter = await query.select_for_update().first()
    return counter


def _restart_if_due(counter: AttemptCounter, rule: Rule | Backoff, moment: datetime) -> None:
    if moment - counter.window_started_at > rule.window or (
        rule.restart_after_lockout and counter.locked_until and counter.locked_until <= moment
    ):
        counter.count, counter.window_started_at, counter.locked_until = 0, moment, None


async def record_failure(key: str, rule: Rule | Backoff) -> datetime | None:
    """Count one failure; return the lockout end when this failure locks the key."""
    async with in_transaction() as connection:
        counter = await _locked_counter(connection, key)
        moment = now()
        _restart_if_due(counter, rule, moment)
        counter.count += 1
        lockout = rule.lockout_after(counter.count)
        if lockout:
            counter.locked_until = moment + lockout
        await counter.save(using_db=connection)
        return counter.locked_until


async def admit(rules: Mapping[str, Rule | Backoff]) -> datetime | None:
    """Let one attempt through, counted in advance as a failure against every key, in one
    transaction that locks their rows: attempts sent together cannot all pass the check before
    their failures are counted. Raises ``Locked`` (counting nothing) when a key is locked.
    Returns when the keys lock if this attempt fails (None: it does not lock them); a success
    then calls ``refund`` (or ``clear``)."""
    async with in_transaction() as connection:
        counters = [(await _locked_counter(connection, key), rule) for key, rule in rules.items()]
        moment = now()
        for counter, rule in counters:
            _restart_if_due(counter, rule, moment)
        ends = [c.locked_until for c, _ in counters if c.locked_until and c.locked_until > moment]
        if ends:
            raise Locked(max(ends))
        for counter, rule in counters:
            counter.count += 1
            lockout = rule.lockout_after(counter.count)
            if lockout:
                counter.locked_until = moment + lockout
            await counter.save(using_db=connection)
        return max((c.locked_until for c, _rule in counters if c.locked_until), default=None)


async def refund(rules: Mapping[str, Rule]) -> None:
    """The attempt ``admit`` let through succeeded: it is no failure. A lockout stays only if
    the failures still counted (others' attempts in flight) call for it. (A ``Backoff`` locks
    at every failure past its free ones: a success there calls ``clear``.)"""
    async with in_transaction() as connection:
        for key, rule in rules.items():
            counter = await _locked_counter(connection, key)
            counter.count = max(0, counter.count - 1)
            if rule.lockout_after(counter.count) is None:
                counter.locked_until = None
            await counter.save(using_db=connection)


async def failures(key: str) -> int:
    counter = await AttemptCounter.get_or_none(key=key)
    return counter.count if counter else 0


async def clear(key: str) -> None:
    await AttemptCounter.filter(key=key).delete()


async def purge_expired(older_than: timedelta = timedelta(days=1)) -> int:
    cutoff = now() - older_than
    return await AttemptCounter.filter(
        window_started_at__lt=cutoff, locked_until__isnull=True
    ).delete() + await AttemptCounter.filter(locked_until__lt=cutoff).delete()


def verification_keys(portal: str, identifier: str, client: str) -> tuple[str, str]:
    """The two counters identity verification uses: per member and per client address."""
    return f"verify:{portal}:{identifier}", f"verify-client:{portal}:{client}"
