"""Forgotten password: the same answer for everyone, the emailed single-use link, the reset."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from accounts_support import (
    MSS_EMAIL,
    NEW_PASSWORD,
    NIR,
    PASSWORD,
    csrf_from,
    log_in,
    main_of,
    make_account,
    post_form,
    without_csrf,
)

from web.accounts import tokens
from web.accounts.models import Token
from web.mail.models import OutboxMail
from web.security.models import AttemptCounter, AuditEvent, Session
from web.security.sessions import now


async def ask_reset(client, portal: str, login: str):
    response = await post_form(client, f"/{portal}/forgot", {"login": login})
    page = await client.get(response.headers["location"]) if response.status_code == 303 else None
    return response, page


async def reset_link(to: str) -> str:
    mail = await OutboxMail.filter(to=to, template="reset_password").order_by("-id").first()
    assert mail is not None, "no reset mail"
    text, html = mail.bodies()  # as the member receives it
    match = re.search(r"https?://\S+/reset/[\w-]+", text)
    assert match, text
    assert match.group(0) in html
    return match.group(0).split("testserver", 1)[-1].split("8000", 1)[-1]


async def test_forgot_page_asks_the_login_of_each_portal(client):
    mss = await client.get("/mss/forgot")
    assert mss.status_code == 200 and 'type="email"' in mss.text
    prive = await client.get("/espace-prive/forgot?lang=en")
    assert "Social security number" in prive.text and 'type="email"' not in prive.text


async def test_forgot_answers_the_same_whether_or_not_the_account_exists(client):
    await make_account()
    known, known_page = await ask_reset(client, "mss", MSS_EMAIL)
    unknown, unknown_page = await ask_reset(client, "mss", "nobody@example.org")
    assert known.status_code == unknown.status_code == 303
    assert known.headers["location"] == unknown.headers["location"] == "/mss/forgot/sent"
    assert known.content == unknown.content
    assert known_page.status_code == unknown_page.status_code == 200
    assert without_csrf(known_page.text) == without_csrf(unknown_page.text)
    assert "Consultez votre messagerie" in known_page.text
    assert await OutboxMail.filter(template="reset_password").count() == 1
    assert await OutboxMail.filter(to="nobody@example.org").count() == 0
    assert await AuditEvent.filter(event="reset_requested").count() == 2


async def test_no_mail_for_an_account_without_email(client):
    await make_account("espace-prive", email="")
    response, page = await ask_reset(client, "espace-prive", NIR)
    assert response.status_code == 303 and page.status_code == 200
    assert await OutboxMail.all().count() == 0


async def test_reset_flow_end_to_end_through_the_outbox(client):
    account = await make_account(language="en")
    await log_in(client, "mss", MSS_EMAIL, PASSWORD)  # an open session, ended by the reset
    await ask_reset(client, "mss", " Ines.Lefevre@example.org ")
    mail = await OutboxMail.get(template="reset_password")
    assert mail.to == MSS_EMAIL and mail.language == "en"
    assert mail.subject == "Choose a new password for Member Self-Service"
    assert "Hello Inès Lefèvre-Dupont," in mail.text_body and "24 hours" in mail.text_body
    assert "Choose a new password" in mail.html_body
    link = await reset_link(MSS_EMAIL)
    form = await client.get(link)  # opening the link does not spend it
    assert form.status_code == 200
    assert (await client.get(link)).status_code == 200
    html = form.text
    assert 'autocomplete="new-password"' in html and 'name="confirmation"' in html
    assert 'data-hx-post="/mss/password-feedback"' in html
    assert re.search(r'name="feedback_for" value="\d+\.\w{32}"', html)
    response = await client.post(
        link,
        data={
            "csrf_token": csrf_from(html),
            "password": NEW_PASSWORD,
            "confirmation": NEW_PASSWORD,
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/mss/login?notice=password-reset"
    assert await Session.filter(account_id=account.pk).count() == 0
    done = await client.get(response.headers["location"])
    assert "Votre nouveau mot de passe est enregistré" in done.text
    assert (await log_in(client, "mss", MSS_EMAIL, PASSWORD)).status_code == 422
    assert (await log_in(client, "mss", MSS_EMAIL, NEW_PASSWORD)).status_code == 303
    # The link is spent: it explains itself and offers a new one.
    used = await client.get(link)
    assert used.status_code == 410
    assert "a expiré ou a déjà été utilisé" in used.text and 'href="/mss/forgot"' in used.text
    assert await OutboxMail.filter(to=MSS_EMAIL, template="password_changed").count() == 1
    assert await AuditEvent.filter(event="password_changed").count() == 1


async def test_reset_refuses_a_weak_password_and_keeps_the_link(client):
    await make_account()
    await ask_reset(client, "mss", MSS_EMAIL)
    link = await reset_link(MSS_EMAIL)
    page = await client.get(link)
    response = await client.post(
        link,
        data={
            "csrf_token": csrf_from(page.text),
            "password": "Inès Lefèvre 1985",
            "confirmation": "Inès Lefèvre 1985",
        },
    )
    assert response.status_code == 422
    assert "ne doit pas contenir votre nom" in response.text
    assert "Erreur" in response.text.split("</title>")[0]
    mismatch = await client.post(
        link,
        data={
            "csrf_token": csrf_from(page.text),
            "password": NEW_PASSWORD,
            "confirmation": NEW_PASSWORD + "!",
        },
    )
    assert mismatch.status_code == 422 and "ne sont pas identiques" in mismatch.text
    assert (await client.get(link)).status_code == 200  # still usable


async def test_expired_link(client):
    await make_account()
    await ask_reset(client, "mss", MSS_EMAIL)
    link = await reset_link(MSS_EMAIL)
    await Token.all().update(expires_at=now() - timedelta(seconds=1))
    page = await client.get(link + "?lang=en")
    assert page.status_code == 410 and "This link has expired" in page.text
    token = csrf_from((await client.get("/mss/login")).text)
    response = await client.post(
        link,
        data={"csrf_token": token, "password": NEW_PASSWORD, "confirmation": NEW_PASSWORD},
    )
    assert response.status_code == 410


async def test_a_new_link_replaces_the_previous_one(client):
    await make_account()
    await ask_reset(client, "mss", MSS_EMAIL)
    first = await reset_link(MSS_EMAIL)
    await ask_reset(client, "mss", MSS_EMAIL)  # within the minute: no second mail
    assert await OutboxMail.filter(template="reset_password").count() == 1
    await Token.all().update(created_at=now() - timedelta(minutes=2))
    await ask_reset(client, "mss", MSS_EMAIL)
    second = await reset_link(MSS_EMAIL)
    assert second != first
    assert (await client.get(first)).status_code == 410
    assert (await client.get(second)).status_code == 200


async def test_a_link_of_one_portal_does_not_work_on_the_other(client):
    await make_account()
    await ask_reset(client, "mss", MSS_EMAIL)
    link = await reset_link(MSS_EMAIL)
    assert (await client.get(link.replace("/mss/", "/espace-prive/"))).status_code == 410


async def test_unknown_and_hostile_tokens(client):
    """An unknown token answers like a used or expired link (410, the same page): telling
    404 from 410 would tell a guesser which tokens once existed."""
    await make_account()
    await ask_reset(client, "mss", MSS_EMAIL)
    used = await reset_link(MSS_EMAIL)
    await post_form(client, used, {"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD})
    spent = await client.get(used)
    assert spent.status_code == 410
    for token in ["nope", "x" * 5000, "%3Cscript%3E", "%00", "' OR 1=1 --", "李", "%E2%80%AE"]:
        response = await client.get(f"/mss/reset/{token}")
        assert response.status_code == 410, token
        assert main_of(response.text) == main_of(spent.text), token
        assert "<script>" not in response.text


async def test_wrong_links_are_limited_per_client(client):
    for _ in range(20):
        await client.get("/mss/reset/guessing-a-token")
    response = await client.get("/mss/reset/guessing-again")
    assert response.status_code == 429 and "Retry-After" in response.headers


async def test_forgot_is_limited_per_client(client):
    for _ in range(10):
        response, _page = await ask_reset(client, "mss", "someone@example.org")
        assert response.status_code == 303
    response, _page = await ask_reset(client, "mss", "someone@example.org")
    assert response.status_code == 429
    assert await AttemptCounter.filter(key__startswith="forgot-client:").count() == 1


async def test_set_password_tokens_are_not_reset_tokens(db):
    account = await make_account(password=None)
    raw = await tokens.issue_token(account, tokens.SET_PASSWORD)
    assert await tokens.peek_token(raw, tokens.RESET) is None
    assert await tokens.spend_token(raw, tokens.RESET) is None
    assert await tokens.peek_token(raw, tokens.SET_PASSWORD) is not None


@pytest.mark.parametrize(
    ("portal", "typed", "message"),
    [
        ("mss", "ines.lefevre", "Enter an email address in the correct format, like "
         "name@example.org."),
        ("mss", "000123456", "Enter an email address in the correct format, like "
         "name@example.org."),
        ("espace-prive", "185057800608", "Enter the 13 characters of your social security "
         "number, without the 2-digit key, like 1 85 05 78 006 084."),
        ("espace-prive", "ines@example.org", "Enter the 13 characters of your social security "
         "number, without the 2-digit key, like 1 85 05 78 006 084."),
        ("espace-prive", "9850578006084", "Enter the 13 characters of your social security "
         "number, without the 2-digit key, like 1 85 05 78 006 084."),
    ],
)
async def test_forgot_says_when_the_identifier_is_not_in_its_format(client, portal, typed,
                                                                     message):
    await client.get("/?lang=en")
    response, _page = await ask_reset(client, portal, typed)
    assert response.status_code == 422
    assert message in response.text
    assert 'aria-invalid="true"' in response.text and 'href="#login"' in response.text
    assert await AuditEvent.filter(event="reset_requested").count() == 0
    assert await AttemptCounter.filter(key__startswith="forgot-client:").count() == 0


async def test_forgot_takes_a_spaced_number_and_a_siret(client):
    await make_account("espace-prive")
    spaced = " ".join([NIR[0], NIR[1:3], NIR[3:5], NIR[5:7], NIR[7:10], NIR[10:]])
    for typed in (spaced, "732 829 320 00017"):
        response, _page = await ask_reset(client, "espace-prive", typed)
        assert response.status_code == 303, typed
    french, _page = await ask_reset(client, "espace-prive", "12")
    assert "Saisissez les 13 caractères de votre numéro de sécurité sociale" in french.text


async def test_the_429_page_says_when_to_try_again_from_retry_after(client):
    for lang, delay, at in (("en", "minutes", "UTC"), ("fr", "minutes", "TU")):
        await client.get(f"/?lang={lang}")
        await AttemptCounter.all().delete()
        for _ in range(10):
            await ask_reset(client, "mss", "someone@example.org")
        response, _page = await ask_reset(client, "mss", "someone@example.org")
        assert response.status_code == 429
        seconds = int(response.headers["Retry-After"])
        minutes = -(-seconds // 60)
        said = re.search(r"<p>(.*?(?:try again in|réessayez dans).*?)</p>", response.text)
        assert said, response.text
        assert f"{minutes} {delay}" in said[1]
        ends = now() + timedelta(seconds=seconds)
        assert re.search(rf"\((at|à) \d\d:\d\d {at}\)", said[1])
        assert f"{ends:%H}:" in said[1]
