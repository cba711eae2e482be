"""Log-in, back-off, sessions (renewal, log-out, time-outs), member space, languages."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from accounts_support import (
    MSS_EMAIL,
    NIR,
    PASSWORD,
    csrf_from,
    log_in,
    main_of,
    make_account,
    sid_cookie,
    without_csrf,
)

from web.accounts import service
from web.security import limits
from web.security.models import AttemptCounter, AuditEvent, Session
from web.security.sessions import now

WRONG = "this is not my password at all"


async def test_login_page_fields_and_links(client):
    page = await client.get("/mss/login")
    assert page.status_code == 200
    html = page.text
    assert 'autocomplete="username"' in html and 'type="email"' in html
    assert 'autocomplete="current-password"' in html
    assert 'href="/mss/forgot"' in html and "Mot de passe oublié ?" in html
    assert "<h1>Se connecter à Espace Client</h1>" in html
    english = await client.get("/espace-prive/login?lang=en")
    assert "Social security number" in english.text and "Forgot your password?" in english.text
    assert 'type="email"' not in english.text


async def test_mss_login_with_email_then_member_space(client):
    account = await make_account()
    before = (await client.get("/mss/login")).cookies.get("espace_sid") or client.cookies.get(
        "espace_sid"
    )
    response = await log_in(client, "mss", "  INES.Lefevre@Example.org ", PASSWORD)
    assert response.status_code == 303
    assert response.headers["location"] == "/mss/account"
    renewed = sid_cookie(response)
    assert renewed and renewed != before  # a new session id at log-in
    space = await client.get("/mss/account")
    assert space.status_code == 200
    assert "Bienvenue, Inès Lefèvre-Dupont" in space.text
    assert "000123456" in space.text
    assert 'href="/mss/account/password"' in space.text
    assert 'action="/mss/logout"' in space.text
    assert space.headers["cache-control"] == "no-store"
    assert await Session.filter(account_id=account.pk).count() == 1
    assert await AuditEvent.filter(event="login_success").count() == 1
    assert (await client.get("/mss/login")).headers["location"] == "/mss/account"


async def test_espace_prive_login_with_identifier_and_spaces(client):
    await make_account("espace-prive")
    spaced = " ".join([NIR[0], NIR[1:3], NIR[3:5], NIR[5:7], NIR[7:10], NIR[10:]])
    response = await log_in(client, "espace-prive", spaced, PASSWORD)
    assert response.headers["location"] == "/espace-prive/account"
    space = await client.get("/espace-prive/account?lang=en")
    assert "Welcome, Aminata N&#39;Diaye" in space.text and NIR in space.text


async def test_member_space_needs_a_log_in(client):
    for path, back in (("/mss/account", ""), ("/mss/account/password", "%2Fpassword"),
                       ("/mss/account/new-password", "%2Fnew-password")):
        response = await client.get(path)
        assert response.status_code == 303
        assert response.headers["location"] == (
            f"/mss/login?next=%2Fmss%2Faccount{back}" if back else "/mss/login"
        )


async def test_a_session_of_one_portal_does_not_open_the_other(client):
    await make_account()
    await log_in(client, "mss", MSS_EMAIL, PASSWORD)
    response = await client.get("/espace-prive/account")
    assert response.headers["location"] == "/espace-prive/login"
    assert (await client.get("/espace-prive/login")).status_code == 200


async def test_unknown_account_and_wrong_password_answer_alike(client):
    account = await make_account()
    wrong = await log_in(client, "mss", MSS_EMAIL, WRONG)
    await account.delete()
    unknown = await log_in(client, "mss", MSS_EMAIL, WRONG)
    assert wrong.status_code == unknown.status_code == 422
    assert main_of(without_csrf(wrong.text)) == main_of(without_csrf(unknown.text))
    assert "L&#39;adresse e-mail ou le mot de passe est incorrect." in wrong.text
    assert "Erreur" in wrong.text.split("</title>")[0]
    assert await AuditEvent.filter(event="login_failure").count() == 2
    # Nothing secret in the audit log.
    for event in await AuditEvent.all():
        assert MSS_EMAIL not in str(event.detail) + event.subject and WRONG not in str(event.detail)


async def test_the_pause_is_said_in_minutes_rounded_up(client):
    """70 seconds left are "2 minutes" (never sooner than the pause ends), as in every
    lockout message (``web.i18n.format_delay``)."""
    await make_account()
    for _attempt in range(5):
        await log_in(client, "mss", MSS_EMAIL, WRONG)
    counter = await AttemptCounter.get(
        key=service.login_client_key("mss", MSS_EMAIL, "203.0.113.7")
    )
    counter.locked_until = now() + timedelta(seconds=70)
    await counter.save()
    paused = await log_in(client, "mss", MSS_EMAIL, PASSWORD)
    assert paused.status_code == 429 and "pendant 2 minutes." in " ".join(paused.text.split())


async def test_pending_account_cannot_log_in(client):
    await make_account(password=None)
    response = await log_in(client, "mss", MSS_EMAIL, "")
    assert response.status_code == 422
    response = await log_in(client, "mss", MSS_EMAIL, PASSWORD)
    assert response.status_code == 422


async def test_back_off_after_five_failures_then_recovery(client):
    await make_account()
    for attempt in range(4):
        assert (await log_in(client, "mss", MSS_EMAIL, WRONG)).status_code == 422, attempt
    fifth = await log_in(client, "mss", MSS_EMAIL, WRONG)
    assert fifth.status_code == 429
    assert "Trop de tentatives" in fifth.text and 0 < int(fifth.headers["retry-after"]) <= 60
    # Even the right password is refused while paused.
    paused = await log_in(client, "mss", MSS_EMAIL, PASSWORD)
    assert paused.status_code == 429
    counter = await AttemptCounter.get(
        key=service.login_client_key("mss", MSS_EMAIL, "203.0.113.7")
    )
    counter.locked_until = now() - timedelta(seconds=1)
    await counter.save()
    # The pause ended; one more failure pauses again, for longer (2 minutes).
    again = await log_in(client, "mss", MSS_EMAIL, WRONG)
    assert again.status_code == 429 and 60 < int(again.headers["retry-after"]) <= 120
    counter = await AttemptCounter.get(key=counter.key)
    counter.locked_until = now() - timedelta(seconds=1)
    await counter.save()
    success = await log_in(client, "mss", MSS_EMAIL, PASSWORD)
    assert success.status_code == 303
    assert not await AttemptCounter.filter(key=counter.key).exists()  # cleared by the success


async def test_guesses_sent_all_at_once_cannot_outrun_the_back_off(db):
    """Twenty wrong passwords and the right one at the same moment: at most five are checked,
    so the right one, last, is paused like the rest."""
    await make_account()
    guesses = [WRONG] * 20 + [PASSWORD]

    async def guess(password: str):
        try:
            return await service.authenticate("mss", MSS_EMAIL, password, client="192.0.2.1")
        except limits.Locked:
            return "paused"

    outcomes = await asyncio.gather(*(guess(password) for password in guesses))
    assert outcomes.count("paused") >= len(guesses) - service.LOGIN_BACKOFF.limit
    assert outcomes[-1] == "paused"
    assert await AuditEvent.filter(event="login_failure").count() <= service.LOGIN_BACKOFF.limit


async def test_back_off_is_capped_at_fifteen_minutes():
    rule = service.LOGIN_BACKOFF
    pauses = [rule.lockout_after(n) for n in range(1, 12)]
    assert pauses[:4] == [None] * 4
    assert [p.total_seconds() / 60 for p in pauses[4:]] == [1, 2, 4, 8, 15, 15, 15]
    assert rule.lockout_after(10_000) == timedelta(minutes=15)


async def test_back_off_counts_unknown_logins_too(client):
    # The pause says nothing about whether the account exists.
    for _ in range(4):
        await log_in(client, "mss", "nobody@example.org", WRONG)
    assert (await log_in(client, "mss", "nobody@example.org", WRONG)).status_code == 429


async def test_logout_deletes_the_server_session(client):
    account = await make_account()
    await log_in(client, "mss", MSS_EMAIL, PASSWORD)
    space = await client.get("/mss/account")
    response = await client.post("/mss/logout", data={"csrf_token": csrf_from(space.text)})
    assert response.status_code == 303
    assert response.headers["location"] == "/mss/login?notice=logged-out"
    assert sid_cookie(response)  # a new id
    assert await Session.filter(account_id=account.pk).count() == 0
    assert (await client.get("/mss/account")).headers["location"] == "/mss/login"
    page = await client.get(response.headers["location"])
    assert "Vous êtes déconnecté" in page.text
    assert await AuditEvent.filter(event="logout").count() == 1


async def test_logout_without_csrf_is_refused(client):
    await make_account()
    await log_in(client, "mss", MSS_EMAIL, PASSWORD)
    assert (await client.post("/mss/logout")).status_code == 403
    assert (await client.get("/mss/account")).status_code == 200


async def test_idle_timeout(client):
    account = await make_account()
    await log_in(client, "mss", MSS_EMAIL, PASSWORD)
    await Session.filter(account_id=account.pk).update(last_seen_at=now() - timedelta(minutes=31))
    location = (await client.get("/mss/account")).headers["location"]
    assert location == "/mss/login?notice=session-expired"
    assert await Session.filter(account_id=account.pk).count() == 0


async def test_activity_keeps_the_session_but_not_past_twelve_hours(client):
    account = await make_account()
    await log_in(client, "mss", MSS_EMAIL, PASSWORD)
    await Session.filter(account_id=account.pk).update(last_seen_at=now() - timedelta(minutes=29))
    assert (await client.get("/mss/account")).status_code == 200
    await Session.filter(account_id=account.pk).update(
        created_at=now() - timedelta(hours=12, minutes=1), last_seen_at=now()
    )
    location = (await client.get("/mss/account")).headers["location"]
    assert location == "/mss/login?notice=session-expired"


async def test_language_switch_keeps_the_login_but_never_the_password(client):
    page = await client.get("/mss/login")
    assert 'form="login-form" name="switch_lang" value="en"' in page.text
    response = await client.post(
        "/mss/login",
        data={
            "csrf_token": csrf_from(page.text),
            "login": "typed@example.org",
            "password": "secret words typed",
            "switch_lang": "en",
        },
    )
    assert response.status_code == 303 and response.headers["location"] == "/mss/login"
    again = await client.get("/mss/login")
    assert '<html lang="en">' in again.text
    assert 'value="typed@example.org"' in again.text
    assert "secret words typed" not in again.text


async def test_required_fields(client):
    await client.get("/?lang=en")
    response = await log_in(client, "espace-prive", "", "")
    assert response.status_code == 422
    assert "Enter your social security number." in response.text
    assert "Enter your password." in response.text
    assert 'href="#login"' in response.text and 'href="#password"' in response.text
