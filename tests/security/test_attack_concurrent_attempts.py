"""Attack: correct attempts made at the same moment (double clicks, a shared office, a script)
must never be counted as failures, and wrong ones sent together still check no more than the
rule allows (issue 12 point 4). Run on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import re

from accounts_support import MSS_EMAIL, PASSWORD, csrf_from, make_account
from attack_support import browser
from espace_prive_support import make_member as make_prive_member
from espace_prive_support import through_contact
from mss_support import GOOD_PASSWORD, Visitor, make_member, text_of

from web.accounts import service as accounts
from web.accounts.models import Account
from web.mail.models import OutboxMail
from web.portals import journey
from web.security.models import AttemptCounter, AuditEvent

PARALLEL = 20


async def test_twenty_correct_log_ins_at_once_all_pass(app):
    await make_account()
    browsers = [browser(app) for _ in range(PARALLEL)]
    clients = [await b.__aenter__() for b in browsers]
    try:
        tokens = [csrf_from((await c.get("/mss/login")).text) for c in clients]
        answers = await asyncio.gather(*(
            c.post("/mss/login", data={"csrf_token": t, "login": MSS_EMAIL, "password": PASSWORD})
            for c, t in zip(clients, tokens, strict=True)
        ))
    finally:
        for b in browsers:
            await b.__aexit__(None, None, None)
    assert [a.status_code for a in answers] == [303] * PARALLEL
    assert {a.headers["location"] for a in answers} == {"/mss/account"}
    assert await AuditEvent.filter(event="login_success").count() == PARALLEL
    assert not await AuditEvent.filter(event="login_failure").exists()
    assert not await AttemptCounter.filter(count__gt=0).exists()


async def test_twenty_register_clicks_at_once_are_never_told_they_failed(client, db, monkeypatch):
    """S'inscrire verifies the identity again: twenty submissions of one verified form at
    the same moment make one account, and none says verification failed or was paused."""
    monkeypatch.setattr(journey, "MIN_FILL_SECONDS", 0)
    await make_member()
    visitor = Visitor(client)
    await visitor.ready()
    answers = await asyncio.gather(*(visitor.register() for _ in range(PARALLEL)))
    assert [a.status_code for a in answers] == [303] * PARALLEL, [
        text_of(a.text)[:200] for a in answers if a.status_code != 303]
    assert {a.headers["location"] for a in answers} == {"/mss/register/done"}
    assert await Account.filter(portal="mss").count() == 1
    assert not await AuditEvent.filter(event="verification_failed").exists()
    assert (await client.get("/mss/register/done")).status_code == 200


async def test_twenty_correct_verifications_at_once_all_go_on(client, db, monkeypatch):
    """espace-prive: the right Carte Vitale serial sent twenty times at once (a double
    submit, a retrying proxy) moves on every time, and locks nothing."""
    monkeypatch.setattr(journey, "MIN_FILL_SECONDS", 0)
    await make_prive_member()
    await through_contact(client)
    page = await client.get("/espace-prive/register/verification")
    data = {"csrf_token": csrf_from(page.text), "action": "next",
            "q": ["health", "card", "serial"], "health": "yes", "card_kind": "photo",
            "serial": "802500002"}
    answers = await asyncio.gather(*(
        client.post("/espace-prive/register/verification", data=data) for _ in range(PARALLEL)
    ))
    assert [a.status_code for a in answers] == [303] * PARALLEL
    assert {a.headers["location"] for a in answers} == {"/espace-prive/register/password"}
    assert not await AuditEvent.filter(event="verification_failed").exists()


async def test_wrong_passwords_sent_together_check_five_at_most(app):
    """Twenty wrong passwords and the right one last, at once from one address: at most five
    are checked before the pause, and the right one is paused like the rest."""
    await make_account()
    guesses = ["not the password at all"] * PARALLEL + [PASSWORD]
    async with browser(app) as client:
        token = csrf_from((await client.get("/mss/login")).text)
        answers = await asyncio.gather(*(
            client.post("/mss/login", data={"csrf_token": token, "login": MSS_EMAIL,
                                            "password": guess})
            for guess in guesses
        ))
    assert await AuditEvent.filter(event="login_failure").count() <= 5
    assert sum(a.status_code == 429 for a in answers) >= len(guesses) - 5
    assert answers[-1].status_code == 429


async def test_the_losers_of_a_race_on_one_set_password_link_are_told_it_was_used(
    client, db, monkeypatch
):
    """Ten submissions of one set-password link at once (a double click, two tabs): one sets
    the password, the others are told the link was used — while the winner's password is
    still being hashed too — with the log-in and forgotten-password offers, never that it
    expired."""
    monkeypatch.setattr(journey, "MIN_FILL_SECONDS", 0)
    client.headers["Accept-Language"] = "en"
    await make_member()
    visitor = Visitor(client)
    await visitor.ready()
    await visitor.register()
    mail = await OutboxMail.get(template="set_password")
    link = re.search(r"/mss/password/\S+", mail.bodies()[0]).group(0)
    await visitor.open(link)
    form = {"password": GOOD_PASSWORD, "confirmation": GOOD_PASSWORD}
    answers = await asyncio.gather(*(visitor.post(link, form) for _ in range(10)))
    assert sorted(a.status_code for a in answers) == [303] + [410] * 9
    for lost in (a for a in answers if a.status_code == 410):
        text = text_of(lost.text)
        assert "This link has already been used" in text and "expired" not in text
        assert 'href="/mss/"' in lost.text and 'href="/mss/forgot"' in lost.text
    assert (await Account.get()).password_state == accounts.ACTIVE
