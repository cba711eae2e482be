"""Attempt counters in the database, so they hold across workers.

Each check-and-count runs in a transaction that locks the counter's row
(``SELECT … FOR UPDATE`` on PostgreSQL, the database lock on SQLite).
"""

from __future__ import annotations

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


async def ensure_open(*keys: str) -> None:
    """Raise ``Locked`` if any of the keys is locked."""
    for key in keys:
        until = await locked_until(key)
        if until:
            raise Locked(until)


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


async def record_failure(key: str, rule: Rule | Backoff) -> datetime | None:
    """Count one failure; return the lockout end when this failure locks the key."""
    async with in_transaction() as connection:
        counter = await _locked_counter(connection, key)
        moment = now()
        if moment - counter.window_started_at > rule.window or (
            rule.restart_after_lockout and counter.locked_until and counter.locked_until <= moment
        ):
            counter.count, counter.window_started_at, counter.locked_until = 0, moment, None
        counter.count += 1
        lockout = rule.lockout_after(counter.count)
        if lockout:
            counter.locked_until = moment + lockout
        await counter.save(using_db=connection)
        return counter.locked_until


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
