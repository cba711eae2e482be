"""Attempt counters in the database, so they hold across workers: one design for every limit.

A ``Rule`` lets a key have ``limit`` failures, counted from the first one over ``window``;
from then on each failure locks the key for ``lockout`` (doubled at each further failure up to
``longest``, for a back-off). At its ``ceiling`` the key stays locked until the window ends
(the visitor is sent to support, or to a password reset). A lockout that ends never wipes the
count: only the end of the window, or ``clear`` (a success that proves the subject), does.

What a guess could break goes through ``admit``: it reserves one attempt on every key before
the check, and waits while the attempts already in flight could, all failing, lock a key. The
caller reports the outcome: ``Attempt.count()`` counts it (a failure), ``Attempt.refund()``
does not (a success). So guesses sent together are never more than the rule allows, and
correct attempts made at the same moment are never counted as failures. Each step runs in a
transaction that locks the counters' rows (``SELECT … FOR UPDATE`` on PostgreSQL, the
database lock on SQLite).

A check that is quick and reads only the database (identity verification) goes through
``check`` instead, in the caller's transaction (``committed``): the counters' rows stay locked
from the claim to the report, so attempts on one key are checked one after the other, each
seeing the failures before it, and no reservation is needed. The claim is one statement, the
report one more.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps

from tortoise.backends.base.client import TransactionalDBClient
from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from web.clock import now
from web.db import in_dialect
from web.security.models import AttemptCounter

RESERVATION = timedelta(seconds=60)  # an attempt not reported by then counts as a failure
WAIT_SECONDS = 30.0  # how long an attempt waits for those in flight before ``Busy``
POLL_SECONDS = (0.01, 0.25)  # the first pause between two looks for room, and the longest


@dataclass(frozen=True)
class Rule:
    limit: int  # failures allowed within the window before each failure locks the key
    window: timedelta
    lockout: timedelta
    longest: timedelta | None = None  # a back-off: the lockout doubles up to this
    ceiling: int | None = None  # failures within the window that lock it until its end

    def lockout_after(self, count: int) -> timedelta | None:
        """The lockout the ``count``-th failure sets (the ceiling aside)."""
        if count < self.limit:
            return None
        if self.longest is None:
            return self.lockout
        return min(self.lockout * 2 ** min(count - self.limit, 16), self.longest)

    def at_ceiling(self, count: int) -> bool:
        return self.ceiling is not None and count >= self.ceiling


# Identity verification (both journeys), per member: 3 failures, then one try per 30 minutes;
# the 6th within 24 hours sends the member to support (locked until the 24 hours end).
VERIFICATION_MEMBER = Rule(
    limit=3, window=timedelta(hours=24), lockout=timedelta(minutes=30), ceiling=6
)
# Per client address: 3 failures lock it for 30 minutes, whoever the members were.
VERIFICATION_CLIENT = Rule(limit=3, window=timedelta(minutes=30), lockout=timedelta(minutes=30))


class Locked(Exception):
    """Raised when a key is locked; ``until`` says when it opens again, ``ceiling`` whether
    a key reached its ceiling (only support, or a proved reset, opens it sooner)."""

    def __init__(self, until: datetime, ceiling: bool = False) -> None:
        super().__init__(until.isoformat())
        self.until = until
        self.ceiling = ceiling

    @property
    def retry_after(self) -> int:
        return max(1, int((self.until - now()).total_seconds()))


class Busy(Exception):
    """Too many attempts on one key at the same moment: none of them failed; try again in a
    few seconds."""

    retry_after = 5


async def locked_until(key: str) -> datetime | None:
    counter = await AttemptCounter.get_or_none(key=key)
    if counter and counter.locked_until and counter.locked_until > now():
        return counter.locked_until
    return None


async def failures(key: str) -> int:
    counter = await AttemptCounter.get_or_none(key=key)
    return counter.count if counter else 0


def _longest(held) -> Locked:
    """The lock of several (until, at ceiling) pairs: open when the last ends."""
    return Locked(max(until for until, _ in held), any(top for _, top in held))


async def current_lock(rules: Mapping[str, Rule]) -> Locked | None:
    """The lockout holding any of the keys now, if any (a look: it reserves nothing)."""
    moment = now()
    held = [
        (counter.locked_until, rules[counter.key].at_ceiling(counter.count))
        for counter in await AttemptCounter.filter(key__in=list(rules))
        if counter.locked_until and counter.locked_until > moment
    ]
    if not held:
        return None
    return _longest(held)


async def _locked_counters(connection, keys) -> dict[str, AttemptCounter]:
    """The counters of ``keys``, made when missing, their rows locked until the transaction
    ends: one upsert, whose no-op update returns (and locks) a row that exists already. A row
    another worker deletes meanwhile is made again, never missed; rows are locked in key
    order, so two workers never wait on each other."""
    moment = now()
    fresh = [AttemptCounter(key=key, count=0, window_started_at=moment, pending=0)
             for key in sorted(keys)]
    rows = await connection.execute_query_dict(*_upsert(connection, fresh, "key = excluded.key"))
    return {row["key"]: AttemptCounter._init_from_db(**row) for row in rows}


def _settle(counter: AttemptCounter, rule: Rule, moment: datetime) -> None:
    """Reservations never reported count as failures; a window over (and no lockout
    running) starts the count again."""
    if counter.pending and counter.pending_until and counter.pending_until < moment:
        stale, counter.pending = counter.pending, 0
        for _ in range(stale):
            _count_failure(counter, rule, moment)
    running = counter.locked_until and counter.locked_until > moment
    if counter.count and moment - counter.window_started_at > rule.window and not running:
        counter.count, counter.locked_until = 0, None


def _count_failure(counter: AttemptCounter, rule: Rule, moment: datetime) -> None:
    if counter.count == 0:
        counter.window_started_at = moment
    counter.count += 1
    if rule.at_ceiling(counter.count):
        end = counter.window_started_at + rule.window
    else:
        lockout = rule.lockout_after(counter.count)
        end = moment + lockout if lockout else None
    if end and (counter.locked_until is None or end > counter.locked_until):
        counter.locked_until = end


def _has_room(counter: AttemptCounter, rule: Rule) -> bool:
    """Whether one more attempt may be checked now: even if it and every attempt in flight
    fail, no more are checked than the rule allows before it locks."""
    return counter.pending == 0 or counter.count + counter.pending + 1 <= rule.limit


class Attempt:
    """One attempt ``admit`` let through: report it with ``count`` or ``refund``."""

    def __init__(self, rules: Mapping[str, Rule]) -> None:
        self.rules = dict(rules)

    async def count(self) -> Locked | None:
        """It failed (or it is one more of what is limited): counted against every key.
        Returns the ``Locked`` to raise when the keys are locked now (by this failure)."""
        return await _resolve(self.rules, counted=True)

    async def refund(self) -> None:
        """It succeeded: no failure. (``clear`` also forgets what a success proves.)"""
        await _resolve(self.rules, counted=False)


async def admit(rules: Mapping[str, Rule]) -> Attempt:
    """Reserve one attempt on every key, in one transaction that locks their rows. Raises
    ``Locked`` (reserving nothing) while a key is locked; waits while the attempts in flight
    leave no room (``Busy`` after ``WAIT_SECONDS``)."""
    deadline = time.monotonic() + WAIT_SECONDS
    pause, longest = POLL_SECONDS
    while not await _reserve(rules):
        if time.monotonic() > deadline:
            raise Busy()
        await asyncio.sleep(pause)
        pause = min(pause * 2, longest)  # waiters must not crowd the rows they wait for
    return Attempt(rules)


async def take(rules: Mapping[str, Rule]) -> Locked | None:
    """One attempt that counts at once (a request, not a guess): ``admit`` then ``count``."""
    return await (await admit(rules)).count()


async def _reserve(rules: Mapping[str, Rule]) -> bool:
    async with in_transaction() as connection:
        locked_rows = await _locked_counters(connection, rules)
        counters = [(locked_rows[key], rule) for key, rule in rules.items()]
        moment = now()
        for counter, rule in counters:
            _settle(counter, rule, moment)
        locked = [
            (counter.locked_until, rule.at_ceiling(counter.count))
            for counter, rule in counters
            if counter.locked_until and counter.locked_until > moment
        ]
        room = not locked and all(_has_room(counter, rule) for counter, rule in counters)
        for counter, _rule in counters:
            if room:
                counter.pending += 1
                counter.pending_until = moment + RESERVATION
            await counter.save(using_db=connection)
        if locked:
            raise _longest(locked)
        return room


async def _resolve(rules: Mapping[str, Rule], *, counted: bool) -> Locked | None:
    ends, done = [], []
    async with in_transaction() as connection:
        counters = await _locked_counters(connection, rules)
        for key, rule in rules.items():
            counter = counters[key]
            moment = now()
            counter.pending = max(0, counter.pending - 1)
            _settle(counter, rule, moment)
            if counted:
                _count_failure(counter, rule, moment)
            if counter.count == 0 and counter.pending == 0:
                done.append(key)
                continue
            await counter.save(using_db=connection)
            if counter.locked_until and counter.locked_until > moment:
                ends.append((counter.locked_until, rule.at_ceiling(counter.count)))
        if done:  # nothing left to remember
            await AttemptCounter.filter(key__in=done).using_db(connection).delete()
    if not ends:
        return None
    return _longest(ends)


_COLUMNS = ("key", "count", "window_started_at", "locked_until", "pending", "pending_until")
_FIELDS = AttemptCounter._meta.fields_map


def _upsert(connection, counters: list[AttemptCounter], update: str) -> tuple[str, list]:
    values = [
        _FIELDS[name].to_db_value(getattr(counter, name), AttemptCounter)
        for counter in counters
        for name in _COLUMNS
    ]
    row = "(" + ", ".join("?" * len(_COLUMNS)) + ")"
    statement = (
        f"INSERT INTO attempt_counter ({', '.join(_COLUMNS)}) "  # noqa: S608 - our names
        f"VALUES {', '.join([row] * len(counters))} ON CONFLICT (key) DO UPDATE SET "
        f"{update} RETURNING {', '.join(_COLUMNS)}"
    )
    return in_dialect(connection, statement), values


class Check:
    """One attempt ``check`` claimed, in the caller's transaction: report it once with
    ``failed`` or ``passed``."""

    def __init__(self, rules: Mapping[str, Rule], counters: dict[str, AttemptCounter],
                 connection) -> None:
        self.rules, self.counters, self.connection = dict(rules), counters, connection
        self._claimed = {key: _state(counter) for key, counter in counters.items()}

    @property
    def attempts_before_lock(self) -> int:
        """How many failures in a row the keys take now before one locks them (at least 1)."""
        return min(max(1, rule.limit - self.counters[key].count)
                   for key, rule in self.rules.items())

    async def failed(self) -> Locked | None:
        """Counted against every key; returns the ``Locked`` to raise when this locked them."""
        moment = now()
        for key, rule in self.rules.items():
            _count_failure(self.counters[key], rule, moment)
        await self._write()
        return _lock_of(self.counters.values(), self.rules, moment)

    async def passed(self, *proved: str) -> None:
        """No failure; the keys in ``proved`` (a success that proves their subject) forget
        theirs."""
        for key in proved:
            self.counters[key].count, self.counters[key].locked_until = 0, None
        await self._write()

    async def _write(self) -> None:
        """The counters as they are now, in one statement (none when nothing changed)."""
        changed = [counter for key, counter in sorted(self.counters.items())
                   if _state(counter) != self._claimed[key]]
        if not changed:
            return
        update = ", ".join(f"{name} = excluded.{name}" for name in _COLUMNS[1:])
        await self.connection.execute_query(*_upsert(self.connection, changed, update))
        self._claimed = {key: _state(counter) for key, counter in self.counters.items()}


def _state(counter: AttemptCounter) -> tuple:
    return tuple(getattr(counter, name) for name in _COLUMNS)


def _lock_of(counters, rules: Mapping[str, Rule], moment: datetime) -> Locked | None:
    held = [(counter.locked_until, rules[counter.key].at_ceiling(counter.count))
            for counter in counters if counter.locked_until and counter.locked_until > moment]
    if not held:
        return None
    return _longest(held)


async def check(rules: Mapping[str, Rule]) -> Check:
    """Claim one attempt on every key in the caller's transaction (``committed``): one
    statement makes the missing counters and locks them all (in key order) until the
    transaction ends. Raises ``Locked`` while a key is locked (what was settled is written)."""
    connection = AttemptCounter._meta.db
    if not isinstance(connection, TransactionalDBClient):
        raise RuntimeError("limits.check runs in a transaction (limits.committed)")
    moment = now()
    counters = await _locked_counters(connection, rules)
    claim = Check(rules, counters, connection)
    for key, rule in rules.items():
        _settle(counters[key], rule, moment)
    if locked := _lock_of(counters.values(), rules, moment):
        await claim._write()
        raise locked
    return claim


def committed(handler: Callable[..., Awaitable]) -> Callable[..., Awaitable]:
    """``handler`` in one transaction, committed even when it raises: a failure ``check``
    counted stays counted whatever goes wrong after it."""

    @wraps(handler)
    async def in_one_transaction(*args, **kwargs):
        context = in_transaction()
        await context.__aenter__()
        try:
            return await handler(*args, **kwargs)
        finally:
            await context.__aexit__(None, None, None)  # as if no error: commit

    return in_one_transaction


async def record_failure(key: str, rule: Rule) -> datetime | None:
    """Count one failure now, locked or not; return when the key opens again if locked."""
    async with in_transaction() as connection:
        counter = (await _locked_counters(connection, [key]))[key]
        moment = now()
        _settle(counter, rule, moment)
        _count_failure(counter, rule, moment)
        await counter.save(using_db=connection)
        return counter.locked_until


async def clear(*keys: str) -> None:
    """Forget the failures of ``keys`` (a success that proves their subject); the attempts in
    flight keep their reservations."""
    await AttemptCounter.filter(key__in=keys, pending=0).delete()
    await AttemptCounter.filter(key__in=keys).update(count=0, locked_until=None)


async def clear_prefix(prefix: str) -> int:
    """Forget every counter whose key starts with ``prefix``; returns the failures they had."""
    counters = AttemptCounter.filter(key__startswith=prefix)
    cleared = sum(await counters.values_list("count", flat=True))
    await counters.filter(pending=0).delete()
    await counters.update(count=0, locked_until=None)
    return cleared


def expired_counters(older_than: timedelta = timedelta(days=1)) -> QuerySet[AttemptCounter]:
    """Counters no attempt is being checked against, whose window (or lockout) ended."""
    cutoff = now() - older_than
    return AttemptCounter.filter(
        Q(window_started_at__lt=cutoff, locked_until__isnull=True) | Q(locked_until__lt=cutoff),
        pending=0,
    )


def verification_keys(portal: str, identifier: str, client: str) -> tuple[str, str]:
    """The two counters identity verification uses: per member and per client address."""
    return f"verify:{portal}:{identifier}", f"verify-client:{portal}:{client}"


def verification_rules(portal: str, identifier: str, client: str) -> dict[str, Rule]:
    member, per_client = verification_keys(portal, identifier, client)
    return {member: VERIFICATION_MEMBER, per_client: VERIFICATION_CLIENT}

