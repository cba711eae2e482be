"""Attack: wrong identity verifications sent together against one member, each from an
address of its own (so only the member's count stops them), check no more than the rule
allows: the limiter's rows stay locked from the claim to the report (``limits.check``).
Run on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

import pytest
from attack_support import browser
from espace_prive_support import make_member as make_prive_member
from espace_prive_support import through_contact
from http_helpers import csrf_from
from mss_support import FIELDS, make_member

from web.portals import journey
from web.security import limits
from web.security.models import AuditEvent

PARALLEL = 12
LIMIT = limits.VERIFICATION_MEMBER.limit


@pytest.fixture(autouse=True)
def no_minimum_time(monkeypatch):
    monkeypatch.setattr(journey, "MIN_FILL_SECONDS", 0)


async def browsers(stack: AsyncExitStack, app) -> list:
    return [await stack.enter_async_context(browser(app, f"198.51.100.{n}"))
            for n in range(1, PARALLEL + 1)]


async def test_wrong_mss_identities_sent_together_check_three_at_most(app):
    await make_member()
    async with AsyncExitStack() as stack:
        clients = await browsers(stack, app)
        tokens = [csrf_from((await c.get("/mss/register")).text) for c in clients]
        answers = await asyncio.gather(*(
            c.post("/mss/register/verify",
                   data={"csrf_token": t, **FIELDS, "last_name": "Durand"})
            for c, t in zip(clients, tokens, strict=True)
        ))
    statuses = [a.status_code for a in answers]
    assert statuses.count(422) <= LIMIT - 1 and set(statuses) <= {422, 429}
    assert await AuditEvent.filter(event="verification_failed").count() == LIMIT


async def test_wrong_espace_prive_facts_sent_together_check_three_at_most(app):
    await make_prive_member()
    async with AsyncExitStack() as stack:
        clients = await browsers(stack, app)
        bodies = []
        for c in clients:
            await through_contact(c)
            page = await c.get("/espace-prive/register/verification")
            bodies.append({"csrf_token": csrf_from(page.text), "action": "next",
                           "q": ["health", "card", "serial"], "health": "yes",
                           "card_kind": "photo", "serial": "111111111"})
        answers = await asyncio.gather(*(
            c.post("/espace-prive/register/verification", data=body)
            for c, body in zip(clients, bodies, strict=True)
        ))
    statuses = [a.status_code for a in answers]
    assert statuses.count(422) <= LIMIT - 1 and set(statuses) <= {422, 429}
    assert await AuditEvent.filter(event="verification_failed").count() == LIMIT
