"""Changing a password, the forced change of a provisional one, the live feedback, and hostile
input on every account form."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from accounts_support import (
    MSS_EMAIL,
    NEW_PASSWORD,
    NIR,
    PASSWORD,
    csrf_from,
    log_in,
    make_account,
    sid_cookie,
)

from web.accounts import service, tokens
from web.mail.models import OutboxMail
from web.security.digests import digest
from web.security.models import AttemptCounter, AuditEvent, Session
from web.security.sessions import now

PARTIAL = {"HX-Request": "true", "HX-Request-Type": "partial"}


async def change(client, current, new, confirmation=None):
    page = await client.get("/mss/account/password")
    return await client.post(
        "/mss/account/password",
        data={
            "csrf_token": csrf_from(page.text),
            "current": current,
            "password": new,
            "confirmation": new if confirmation is None else confirmation,
        },
    )


async def test_change_password(client, app):
    account = await make_account()
    old_sid = sid_cookie(await log_in(client, "mss", MSS_EMAIL, PASSWORD))
    assert old_sid
    page = await client.get("/mss/account/password")
    assert page.status_code == 200
    assert 'autocomplete="current-password"' in page.text
    assert page.text.count('autocomplete="new-password"') == 2
    response = await change(client, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 303
    assert response.headers["location"] == "/mss/account?notice=password-changed"
    new_sid = sid_cookie(response)
    assert new_sid and new_sid != old_sid
    sessions = await Session.filter(account_id=account.pk).values_list("id_hash", flat=True)
    assert sessions == [digest(new_sid)]  # this one, under its new id
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 51000))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", cookies={"espace_sid": old_sid}
    ) as replay:
        assert (await replay.get("/mss/account")).headers["location"] == "/mss/login"
    space = await client.get(response.headers["location"])
    assert space.status_code == 200 and "Votre mot de passe a été modifié." in space.text
    assert await AuditEvent.filter(event="password_changed").count() == 1
    assert await OutboxMail.filter(template="password_changed", to=MSS_EMAIL).count() == 1
    await account.refresh_from_db()
    assert account.password_changed_at is not None


async def test_change_ends_the_other_sessions(client, app):
    import httpx

    account = await make_account()
    transport = httpx.ASGITransport(app=app, client=("198.51.100.9", 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        await log_in(other, "mss", MSS_EMAIL, PASSWORD)
        await log_in(client, "mss", MSS_EMAIL, PASSWORD)
        assert await Session.filter(account_id=account.pk).count() == 2
        await change(client, PASSWORD, NEW_PASSWORD)
        assert (await other.get("/mss/account")).headers["location"] == "/mss/login"
    assert (await client.get("/mss/account")).status_code == 200


async def test_change_with_a_wrong_current_password(client):
    await make_account()
    await log_in(client, "mss", MSS_EMAIL, PASSWORD)
    response = await change(client, "not the current one at all", NEW_PASSWORD)
    assert response.status_code == 422
    assert "Votre mot de passe actuel est incorrect." in response.text
    assert 'href="#current"' in response.text
    assert await service.authenticate("mss", MSS_EMAIL, PASSWORD) is not None  # unchanged


async def test_change_pauses_after_five_wrong_current_passwords(client):
    account = await make_account()
    await log_in(client, "mss", MSS_EMAIL, PASSWORD)
    for attempt in range(4):
        wrong = await change(client, f"not the current one {attempt}", NEW_PASSWORD)
        assert wrong.status_code == 422, attempt
    fifth = await change(client, "not the current one 4", NEW_PASSWORD)
    assert fifth.status_code == 429 and 0 < int(fifth.headers["retry-after"]) <= 60
    assert (
        "Trop de tentatives infructueuses. Pour votre sécurité, la modification du mot de passe "
        "est suspendue pendant 1 minute."
    ) in fifth.text
    assert 'href="#current"' in fifth.text
    # Even the right current password is refused while paused, and nothing changes.
    paused = await change(client, PASSWORD, NEW_PASSWORD)
    assert paused.status_code == 429
    await account.refresh_from_db()
    assert await service.password_matches(account, PASSWORD)
    assert await AuditEvent.filter(event="password_changed").count() == 0
    # The pause is the change form's own: the log-in is not paused by it.
    assert not await AttemptCounter.exists(key__startswith=service.login_key("mss", MSS_EMAIL))
    counter = await AttemptCounter.get(key=service.change_password_key(account))
    assert counter.locked_until > now()
    counter.locked_until = now() - timedelta(seconds=1)
    await counter.save()
    changed = await change(client, PASSWORD, NEW_PASSWORD)
    assert changed.headers["location"] == "/mss/account?notice=password-changed"
    assert not await AttemptCounter.exists(key=counter.key)  # proved: no pause left behind


async def test_change_checks_the_policy(client):
    await make_account()
    await log_in(client, "mss", MSS_EMAIL, PASSWORD)
    await client.get("/?lang=en")
    short = await change(client, PASSWORD, "short")
    assert short.status_code == 422 and "at least 15 characters (it has 5)" in short.text
    mine = await change(client, PASSWORD, "member self-service rocks")
    assert "must not contain the name of this service" in mine.text
    mismatch = await change(client, PASSWORD, NEW_PASSWORD, NEW_PASSWORD.upper())
    assert "The two passwords are not the same." in mismatch.text
    empty = await change(client, "", "", "")
    assert empty.status_code == 422
    for message in (
        "Enter your current password.",
        "Enter a password.",
        "Enter the new password again.",
    ):
        assert message in empty.text


async def test_provisional_password_forces_a_change(client):
    account = await make_account("espace-prive", password=None)
    provisional = await service.issue_provisional_password(account)
    response = await log_in(client, "espace-prive", NIR, provisional)
    assert response.headers["location"] == "/espace-prive/account/new-password"
    for path in ("/espace-prive/account", "/espace-prive/account/password"):
        redirected = await client.get(path)
        assert redirected.headers["location"] == "/espace-prive/account/new-password"
    page = await client.get("/espace-prive/account/new-password")
    assert page.status_code == 200 and "mot de passe provisoire" in page.text
    assert 'name="current"' not in page.text
    token = csrf_from(page.text)
    same = await client.post(
        "/espace-prive/account/new-password",
        data={"csrf_token": token, "password": provisional, "confirmation": provisional},
    )
    assert same.status_code == 422  # it travelled by email or post
    assert "pas le mot de passe provisoire" in same.text
    chosen = await client.post(
        "/espace-prive/account/new-password",
        data={"csrf_token": token, "password": PASSWORD, "confirmation": PASSWORD},
    )
    assert chosen.headers["location"] == "/espace-prive/account?notice=password-set"
    assert sid_cookie(chosen)
    await account.refresh_from_db()
    assert account.password_state == service.ACTIVE and account.password_expires_at is None
    assert (await client.get("/espace-prive/account")).status_code == 200
    assert (await client.get("/espace-prive/account/new-password")).headers["location"] == (
        "/espace-prive/account"
    )
    assert await AuditEvent.filter(event="password_set").count() == 1


async def test_provisional_password_expires_after_seven_days(client):
    account = await make_account("espace-prive", password=None)
    provisional = await service.issue_provisional_password(account)
    account.password_expires_at = service.now() - timedelta(seconds=1)
    await account.save()
    wrong = await log_in(client, "espace-prive", NIR, "a wrong password entirely")
    assert "a expiré" not in wrong.text  # said only to who knows the password
    response = await log_in(client, "espace-prive", NIR, provisional)
    assert response.status_code == 422
    assert "Votre mot de passe provisoire a expiré" in response.text
    assert 'href="/espace-prive/forgot"' in response.text
    assert await Session.filter(account_id=account.pk).count() == 0


async def test_live_feedback_fragment(client):
    page = await client.get("/mss/login")
    token = csrf_from(page.text)
    response = await client.post(
        "/mss/password-feedback",
        data={"csrf_token": token, "password": "abc", "confirmation": "", "feedback_for": ""},
        headers=PARTIAL,
    )
    assert response.status_code == 200
    assert "<html" not in response.text and 'class="checklist"' in response.text
    assert "3 caractères sur 15 au minimum." in response.text
    assert (await client.post("/mss/password-feedback", data={"password": "x"})).status_code == 403


@pytest.mark.parametrize(
    ("password", "met"),
    [
        ("espace client", 0),  # short, and the name of the service
        ("abc", 1),  # short (the common-password rule is not judged yet)
        ("espace client lantern quartz meadow", 2),
        (PASSWORD, 3),
    ],
)
async def test_live_feedback_announces_how_many_requirements_are_met(client, password, met):
    page = await client.get("/mss/login")
    response = await client.post(
        "/mss/password-feedback",
        data={"csrf_token": csrf_from(page.text), "password": password, "feedback_for": ""},
        headers=PARTIAL,
    )
    assert response.text.count('<hx-partial hx-target="#status"') == 1
    assert (
        '<hx-partial hx-target="#status" hx-swap="innerHTML">'
        f"Exigences du mot de passe respectées : {met} sur 3.</hx-partial>"
    ) in response.text


async def test_live_feedback_knows_the_member_of_a_reset_link(client):
    account = await make_account()
    raw = await tokens.issue_token(account, tokens.RESET)
    page = await client.get(f"/mss/reset/{raw}?lang=en")
    key = re.search(r'name="feedback_for" value="([^"]+)"', page.text).group(1)
    data = {"csrf_token": csrf_from(page.text), "password": "ines likes the mountains"}
    anonymous = await client.post("/mss/password-feedback", data=data, headers=PARTIAL)
    assert "must not contain your name" not in anonymous.text
    known = await client.post(
        "/mss/password-feedback", data={**data, "feedback_for": key}, headers=PARTIAL
    )
    assert "must not contain your name" in known.text
    forged = await client.post(
        "/mss/password-feedback",
        data={**data, "feedback_for": f"{account.pk}.{'0' * 32}"},
        headers=PARTIAL,
    )
    assert "must not contain your name" not in forged.text
    assert (await client.get(f"/mss/reset/{raw}")).status_code == 200  # nothing spent


HOSTILE = [
    "",
    "x" * 10_000,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "a\x00b\x01c\x1f",
    "مرحبا بالعالم كلمة سر طويلة",
    "我的密码非常长而且很难猜到吧",
    "\u202e\u200b\ufeff" * 10,
    "²³.٣٤",  # digits Python's isdigit() accepts and int() refuses
]


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_hostile_input_on_every_account_form(client, value, lang):
    account = await make_account()
    raw = await tokens.issue_token(account, tokens.RESET)
    await client.get(f"/?lang={lang}")
    passwords = {"password": value, "confirmation": value}
    forms = [
        ("/mss/login", {"login": value, "password": value}),
        ("/espace-prive/login", {"login": value, "password": value}),
        ("/mss/forgot", {"login": value}),
        ("/espace-prive/forgot", {"login": value}),
        ("/mss/password-feedback", {"password": value, "feedback_for": value}),
        (f"/mss/reset/{raw}", passwords),
    ]
    for url, data in forms:
        await post_hostile(client, url, data, lang)
    await log_in(client, "mss", MSS_EMAIL, PASSWORD)
    await post_hostile(client, "/mss/account/password", {"current": value, **passwords}, lang)
    prive = await make_account("espace-prive", password=None)
    provisional = await service.issue_provisional_password(prive)
    await log_in(client, "espace-prive", NIR, provisional)
    await post_hostile(client, "/espace-prive/account/new-password", passwords, lang)


async def post_hostile(client, url, data, lang):
    page = await client.get("/mss/forgot?lang=" + lang)
    response = await client.post(url, data={"csrf_token": csrf_from(page.text), **data})
    assert response.status_code in (200, 303, 422, 429), (url, response.status_code)
    assert "<script>alert" not in response.text
    if response.status_code == 422:
        assert f'<html lang="{lang}">' in response.text


async def test_huge_body_is_refused(client):
    page = await client.get("/mss/login")
    response = await client.post(
        "/mss/login", data={"csrf_token": csrf_from(page.text), "password": "x" * 70_000}
    )
    assert response.status_code == 413
