"""Attacks on the lockouts (issue 7 point 6): someone else's failures must not keep the
owner out, a proved reset lets them in, and no success that proves nothing wipes a count."""

from __future__ import annotations

from datetime import date

import pytest
from accounts_support import MSS_EMAIL, NEW_PASSWORD, PASSWORD, csrf_from, log_in, make_account
from attack_support import browser, wait_out_lockouts
from espace_prive_support import CONTACT, confirm_email, make_member, submit, through_contact
from mss_support import FIELDS, Visitor
from mss_support import make_member as make_mss_member

from web.accounts import service, tokens
from web.portals import journey
from web.security import limits
from web.security.models import AuditEvent

OWNER = "203.0.113.7"
WRONG = "not the password of this account"


@pytest.fixture(autouse=True)
def no_fill_delay(monkeypatch):
    monkeypatch.setattr(journey, "MIN_FILL_SECONDS", 0)
    monkeypatch.setattr(journey, "MIN_FILL_SECONDS", 0)


async def guess_from(app, address: str, times: int) -> list[int]:
    async with browser(app, address) as attacker:
        return [(await log_in(attacker, "mss", MSS_EMAIL, WRONG)).status_code
                for _ in range(times)]


async def test_someone_elses_failures_never_pause_the_owners_log_in(app):
    await make_account()
    assert (await guess_from(app, "198.51.100.66", 6))[-2:] == [429, 429]  # paused, there
    async with browser(app, OWNER) as owner:
        response = await log_in(owner, "mss", MSS_EMAIL, PASSWORD)
    assert response.status_code == 303 and response.headers["location"] == "/mss/account"


async def test_one_address_gets_five_guesses_then_a_back_off(app):
    await make_account()
    statuses = await guess_from(app, "198.51.100.66", 5)
    assert statuses == [422, 422, 422, 422, 429]
    await wait_out_lockouts("login:")
    assert await guess_from(app, "198.51.100.66", 1) == [429]  # one more, paused again at once


async def test_at_the_ceiling_only_a_reset_by_email_lets_the_owner_in(app):
    """Guesses from ever new addresses stop at the login's ceiling (100 a day, NIST SP
    800-63B-4); the owner is paused too, until a reset by the emailed link."""
    account = await make_account()
    statuses = [(await guess_from(app, f"198.51.{n // 250}.{n % 250}", 1))[0]
                for n in range(101)]
    assert statuses == [422] * 99 + [429, 429]  # the 100th reaches it, the 101st is refused
    assert await AuditEvent.filter(event="login_failure").count() == 100
    async with browser(app, OWNER) as owner:
        paused = await log_in(owner, "mss", MSS_EMAIL, PASSWORD)
        assert paused.status_code == 429
        assert "réinitialisez votre mot de passe" in paused.text
        raw = await tokens.issue_token(account, tokens.RESET)  # the emailed link
        page = await owner.get(f"/mss/reset/{raw}")
        reset = await owner.post(f"/mss/reset/{raw}", data={
            "csrf_token": csrf_from(page.text), "password": NEW_PASSWORD,
            "confirmation": NEW_PASSWORD})
        assert reset.headers["location"] == "/mss/login?notice=password-reset"
        assert (await log_in(owner, "mss", MSS_EMAIL, NEW_PASSWORD)).status_code == 303
    assert await guess_from(app, "198.51.100.1", 1) == [422]  # a new day of guesses, no more


async def test_the_logged_in_owner_changes_the_password_while_someone_guesses(app):
    await make_account()
    async with browser(app, OWNER) as owner:
        assert (await log_in(owner, "mss", MSS_EMAIL, PASSWORD)).status_code == 303
        await guess_from(app, "198.51.100.66", 8)
        page = await owner.get("/mss/account/password")
        changed = await owner.post("/mss/account/password", data={
            "csrf_token": csrf_from(page.text), "current": PASSWORD,
            "password": NEW_PASSWORD, "confirmation": NEW_PASSWORD})
    assert changed.headers["location"] == "/mss/account?notice=password-changed"


POSTAL = {"q": ["health", "other", "postal"], "health": "no", "other": "none"}
WRONG_SERIAL = {"q": ["health", "card", "serial"], "health": "yes", "card_kind": "photo",
                "serial": "999999999"}


async def test_postal_choices_do_not_wipe_the_members_count(app):
    """Two wrong Carte Vitale serials from each of five addresses, each followed by the postal
    choice (which anyone knowing the identity can make): the member's count still locks."""
    await make_member()
    statuses = []
    for n in range(5):
        async with browser(app, f"198.51.100.{n}") as attacker:
            await through_contact(attacker)
            for _ in range(2):
                statuses.append((await submit(attacker, "/verification", WRONG_SERIAL))
                                .status_code)
            await submit(attacker, "/verification", POSTAL)
    assert statuses[:3] == [422, 422, 429]
    assert set(statuses[3:]) == {429}
    assert await AuditEvent.filter(event="verification_failed").count() == 3


async def test_registrations_are_counted_once_over_both_portals(app, monkeypatch):
    monkeypatch.setattr(service, "REGISTRATION_CLIENT", limits.Rule(
        limit=1, window=service.REGISTRATION_CLIENT.window,
        lockout=service.REGISTRATION_CLIENT.lockout))
    await make_mss_member()
    await make_member(identifier="1850578006084", birth_date=date(1985, 5, 1))
    async with browser(app, OWNER, **{"Accept-Language": "en"}) as visitor:
        mss = Visitor(visitor)
        await mss.ready()
        assert (await mss.register(FIELDS)).headers["location"] == "/mss/register/done"
        await through_contact(visitor, identifier="1850578006084",
                              contact={**CONTACT, "birth_month": "5", "birth_day": "1"})
        serial = {**WRONG_SERIAL, "serial": "802500002"}
        assert (await submit(visitor, "/verification", serial)).status_code == 303
        await confirm_email(visitor)
        refused = await submit(visitor, "/terms")
    assert refused.status_code == 429
    assert "Too many registrations were made from your connection. Try again in 60 minutes." in (
        refused.text)
    assert 3540 < int(refused.headers["retry-after"]) <= 3600
