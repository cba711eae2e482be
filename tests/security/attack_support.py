"""What the attack scripts share: browsers from chosen addresses, and time moved on."""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import timedelta

import httpx

from web.security.models import AttemptCounter


@asynccontextmanager
async def browser(app, address: str = "203.0.113.7", **headers):
    """A browser of its own (cookies, CSRF token) at a client address."""
    transport = httpx.ASGITransport(app=app, client=(address, 51000))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", follow_redirects=False,
        headers=headers,
    ) as client:
        yield client


async def wait_out_lockouts(prefix: str = "") -> None:
    """As if every lockout running (on keys starting with ``prefix``) had just ended; the
    failures stay counted, their windows as they were."""
    for counter in await AttemptCounter.filter(key__startswith=prefix, locked_until__isnull=False):
        moved = counter.locked_until - limits_now() + timedelta(seconds=1)
        counter.locked_until -= moved
        counter.window_started_at -= moved
        await counter.save()


def limits_now():
    from web.security.limits import now

    return now()
