"""What can be measured from outside, in Prometheus' format at ``/metrics`` (prometheus-client).

Only the addresses in ``ESPACE_METRICS_ADDRESSES`` may read it (others get a 404). Counters
live in each process: scrape each ``espace serve`` process (one per port) and let Prometheus
add them up. The outbox figures are read from the database at each scrape, so every process
gives the same ones.

Events are counted where they are recorded: every audit event (web/security/audit.py) adds
one to ``espace_audit_events_total{event, portal}`` — registrations started and completed,
verification failures and lockouts, log-in failures…, and whatever event is added later.
"""

from __future__ import annotations

from functools import lru_cache

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response

from web.clock import now
from web.security.client import in_networks

REQUESTS = Histogram(
    "espace_request_duration_seconds",
    "Time to answer a request, by portal, route name, method and status (its _count: requests)",
    ["portal", "route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
EVENTS = Counter(
    "espace_audit_events", "Audit events recorded, by event and portal", ["event", "portal"]
)
ARGON2_WAIT = Histogram(
    "espace_argon2_queue_wait_seconds",
    "Time a password hash or check waited for a free hashing thread",
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
OUTBOX = Gauge("espace_outbox_mail", "Mail in the outbox, by status", ["status"])
OLDEST_PENDING = Gauge(
    "espace_outbox_oldest_pending_seconds", "Age of the oldest mail waiting to be sent (0: none)"
)


def count_event(event: str, portal: str) -> None:
    EVENTS.labels(event=event, portal=portal).inc()


def observe_request(portal: str, route: str, method: str, status: int, seconds: float) -> None:
    _request_series(portal, route or "none", method, status).observe(seconds)


@lru_cache(maxsize=1024)
def _request_series(portal: str, route: str, method: str, status: int):
    """One histogram per label set, found once (labels() costs a lock and a dict walk)."""
    return REQUESTS.labels(portal=portal, route=route, method=method, status=str(status))


async def oldest_pending_age() -> float:
    """Seconds since the oldest pending mail was queued (0 when none is waiting)."""
    from web.mail.models import OutboxMail
    from web.mail.outbox import PENDING

    oldest = await OutboxMail.filter(status=PENDING).order_by("created_at").first()
    if oldest is None:
        return 0.0
    return max(0.0, (now() - oldest.created_at).total_seconds())


async def _read_outbox() -> None:
    from web.mail.models import OutboxMail
    from web.mail.outbox import DEAD, PENDING

    for status in (PENDING, DEAD):
        OUTBOX.labels(status=status).set(await OutboxMail.filter(status=status).count())
    OLDEST_PENDING.set(await oldest_pending_age())


async def metrics(request: Request) -> Response:
    if not in_networks(request.client.host if request.client else "",
                       request.app.state.settings.metrics_addresses):
        return Response(status_code=404, headers={"cache-control": "no-store"})
    await _read_outbox()
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST,
                    headers={"cache-control": "no-store"})
