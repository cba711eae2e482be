"""Requests per second of what a browser asks, against two yardsticks measured in the same run.

Each captured request (bench/capture.py) is replayed as Chromium sent it, to Espace, and the
captured security request to the guarded bare fragment (bench/bare_app.py); the bare page takes a
plain GET. Rounds alternate (the order is reversed every other round, so a drift of the shared
machine's load falls on every endpoint alike); each figure is the median of the rounds, and a
ratio is the median of the ratios taken within each round.
"""

from __future__ import annotations

import os
import statistics
from dataclasses import dataclass, field, replace

from bench import load as loadgen
from bench.capture import Captured

BARE_PAGE = "bare page"
GUARDED_FRAGMENT = "guarded bare fragment"
# No yardstick: what the guarded fragment becomes with one read of a draft row (bench/bare_app.py),
# printed for what it costs any fragment that reads the database.
READING_FRAGMENT = "guarded bare fragment + one draft read"
# A captured save replayed as it is changes nothing after the first time (no write); a member's
# save changes a field: replayed so too, a field different every time.
SAVES_CHANGED = {"register save (the same value again)": "register save (a new value every time)"}


@dataclass(frozen=True)
class Target:
    name: str
    request: loadgen.Request
    budgets: tuple[tuple[str, float], ...] = ()  # (yardstick, the least ratio to it)
    connections: int | None = None  # fewer for what argon2 slows to a crawl


@dataclass
class Measured:
    target: Target
    results: list = field(default_factory=list)  # one loadgen.Result per round
    ratios: dict = field(default_factory=dict)  # yardstick → [ratio per round]
    loads: list = field(default_factory=list)  # 1-minute load average after each run

    @property
    def rps(self) -> float:
        return statistics.median(r.rps for r in self.results)

    @property
    def p99_ms(self) -> float:
        return statistics.median(r.p99_ms for r in self.results)

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.results)

    def ratio(self, yardstick: str) -> float:
        return statistics.median(self.ratios[yardstick])


def replayed(base_url: str, request: Captured, vary: str | None = None) -> loadgen.Request:
    """``request`` as Chromium sent it, to ``base_url``."""
    return loadgen.Request(base_url + request.path, request.method, request.headers,
                           request.body, vary)


def targets(base_url: str, yardsticks: dict[str, str], captured: dict[str, Captured],
            fragment_budgets: tuple, save_budgets: tuple) -> list[Target]:
    """The yardsticks first (``yardsticks``: name → base URL), then every captured request
    with its budgets."""
    security = captured["security: a valid email"]
    found = [
        # a plain GET, Chromium's Accept-Encoding
        Target(BARE_PAGE, loadgen.Request(yardsticks[BARE_PAGE])),
        Target(GUARDED_FRAGMENT, replayed(yardsticks[GUARDED_FRAGMENT], security)),
        Target(READING_FRAGMENT, replayed(yardsticks[READING_FRAGMENT], security)),
    ]
    for name, request in captured.items():
        budgets = (fragment_budgets if name.startswith(("security:", "espace-prive"))
                   else save_budgets if "save" in name else ())
        found.append(Target(name, replayed(base_url, request), budgets,
                            2 if "argon2" in name else None))
        if name in SAVES_CHANGED:  # its replays change nothing: the changing save as well
            found.append(Target(SAVES_CHANGED[name],
                                replayed(base_url, request, vary="first_names"), budgets))
    return found


def measure(wrk: str | None, all_targets: list[Target], *, rounds: int, seconds: float,
            connections: int, close: bool) -> list[Measured]:
    """``rounds`` alternating rounds over ``all_targets``; ``close``: a new connection per
    request (``Connection: close``) instead of keep-alive."""
    measured = {t.name: Measured(t) for t in all_targets}
    for number in range(rounds):
        order = all_targets if number % 2 == 0 else list(reversed(all_targets))
        for target in order:
            request = target.request
            if close:
                request = replace(request, headers={**request.headers, "Connection": "close"})
            in_flight = target.connections or connections
            loadgen.load(wrk, request, connections=in_flight, seconds=1)  # warm-up
            result = loadgen.load(wrk, request, connections=in_flight, seconds=seconds)
            measured[target.name].results.append(result)
            measured[target.name].loads.append(os.getloadavg()[0])
        for item in measured.values():
            for yardstick in (BARE_PAGE, GUARDED_FRAGMENT):
                base = measured[yardstick].results[number].rps
                item.ratios.setdefault(yardstick, []).append(
                    item.results[number].rps / base if base else 0.0)
    return list(measured.values())
