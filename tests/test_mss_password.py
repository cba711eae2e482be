"""Guide steps 8–10 over HTTP: the set-password link, its rules, then logging in."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from mss_support import EMAIL, GOOD_PASSWORD, Visitor, make_member, text_of

from web.accounts.models import Account, Token
from web.mail.models import OutboxMail
from web.portals import journey
from web.portals.mss import links
from web.security import limits
from web.security.models import AttemptCounter, AuditEvent


@pytest.fixture(autouse=True)
def english_and_no_minimum_time(monkeypatch, client):
    monkeypatch.setattr(journey, "MIN_FILL_SECONDS", 0)
    client.headers["Accept-Language"] = "en"


async def registered_link(client) -> tuple[Visitor, str]:
    await make_member()
    visitor = Visitor(client)
    await visitor.ready()
    await visitor.register()
    mail = await OutboxMail.get(template="set_password")
    return visitor, re.search(r"/mss/password/(\S+)", mail.bodies()[0]).group(1)


async def choose(visitor: Visitor, token: str, password: str, confirmation: str | None = None):
    await visitor.open(f"/mss/password/{token}")
    return await visitor.post(
        f"/mss/password/{token}",
        {
            "password": password,
            "confirmation": password if confirmation is None else confirmation,
        },
    )


async def test_opening_the_link_only_shows_the_form(client, db):
    visitor, token = await registered_link(client)
    for _ in range(2):  # a mail scanner opening the link does not burn it
        page = await client.get(f"/mss/password/{token}")
        assert page.status_code == 200
    assert (await Token.get()).used_at is None
    assert 'autocomplete="new-password"' in page.text
    assert "data-password-toggle" in page.text  # show / hide
    text = text_of(page.text)
    assert "At least 15 characters" in text and "Not a common password" in text
    assert 'data-hx-post="/mss/password-feedback"' in page.text
    assert visitor.token


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short pass", "at least 15 characters"),
        ("", "Enter a password."),
        ("qwertyuiop12345", "too common"),
        ("bbbbbbbbbbbbbbbbbbb", "too easy to guess"),
        ("aaaaaaaaaaaaaaaa", "too common"),  # in the breached list
        ("claire dubois 1977 xyz", "must not contain your name"),
        ("claire.dubois@example.org!", "must not contain your email address"),
        ("000314159 meadow quartz", "must not contain your identifier"),
        ("Member Self-Service 2026!", "must not contain the name of this service"),
    ],
)
async def test_weak_passwords_are_refused_with_the_reason(client, db, password, reason):
    visitor, token = await registered_link(client)
    response = await choose(visitor, token, password)
    assert response.status_code == 422
    assert reason in text_of(response.text)
    assert "<title>Error:" in response.text and 'class="error-summary"' in response.text
    assert (await Token.get()).used_at is None  # not spent by a refused password


async def test_confirmation_must_match(client, db):
    visitor, token = await registered_link(client)
    response = await choose(visitor, token, GOOD_PASSWORD, GOOD_PASSWORD + "x")
    assert response.status_code == 422
    assert "The two passwords are not the same." in text_of(response.text)


async def test_setting_the_password_then_logging_in(client, db):
    visitor, token = await registered_link(client)
    response = await choose(visitor, token, GOOD_PASSWORD)
    assert response.status_code == 303 and response.headers["location"] == "/mss/password/done"
    account = await Account.get()
    assert account.password_state == "active" and account.password_hash.startswith("$argon2id$")  # noqa: S105
    assert (await Token.get_or_none(used_at__isnull=True)) is None
    assert await AuditEvent.filter(event="password_set").exists()
    done = text_of((await client.get("/mss/password/done")).text)
    assert "Your password has been set" in done
    # Step 10: log in with email + password → the member's space.
    await visitor.open("/mss/login")
    logged = await visitor.post("/mss/login", {"login": EMAIL.upper(), "password": GOOD_PASSWORD})
    assert logged.status_code == 303
    space = await client.get(logged.headers["location"])
    assert space.status_code == 200 and "Claire" in space.text and "000314159" in space.text


async def test_used_link_explains_itself(client, db):
    visitor, token = await registered_link(client)
    await choose(visitor, token, GOOD_PASSWORD)
    page = await client.get(f"/mss/password/{token}")
    assert page.status_code == 410
    assert "This link has already been used" in text_of(page.text)
    assert 'href="/mss/forgot"' in page.text
    again = await visitor.post(
        f"/mss/password/{token}", {"password": GOOD_PASSWORD, "confirmation": GOOD_PASSWORD}
    )
    assert again.status_code == 410


async def test_expired_link_offers_a_new_one(client, db):
    visitor, token = await registered_link(client)
    await Token.all().update(expires_at=datetime.now(UTC) - timedelta(minutes=1))
    page = await visitor.open(f"/mss/password/{token}")
    assert page.status_code == 410
    assert "This link has expired" in text_of(page.text)
    too_soon = await visitor.post(f"/mss/password/{token}/renew")
    assert too_soon.status_code == 429  # the registration started the resend cooldown
    await AttemptCounter.filter(key__startswith="resend:").delete()
    renewed = await visitor.post(f"/mss/password/{token}/renew")
    assert renewed.status_code == 200
    assert "We have sent you a new link" in text_of(renewed.text)
    assert await OutboxMail.filter(template="set_password").count() == 2


async def test_renewals_are_limited_per_client_address(client, db, monkeypatch):
    rule = limits.Rule(limit=1, window=timedelta(hours=1), lockout=timedelta(hours=1))
    monkeypatch.setattr(links, "RESEND_CLIENT", rule)
    visitor, token = await registered_link(client)
    await Token.all().update(expires_at=datetime.now(UTC) - timedelta(minutes=1))
    await AttemptCounter.filter(key__startswith="resend:").delete()
    assert (await visitor.post(f"/mss/password/{token}/renew")).status_code == 200
    mail = await OutboxMail.filter(template="set_password").order_by("-id").first()
    token = re.search(r"/mss/password/(\S+)", mail.bodies()[0]).group(1)
    await Token.all().update(expires_at=datetime.now(UTC) - timedelta(minutes=1))
    await AttemptCounter.filter(key__startswith="resend:").delete()
    refused = await visitor.post(f"/mss/password/{token}/renew")
    assert refused.status_code == 429
    assert "Too many emails were asked for from your connection" in text_of(refused.text)
    assert await OutboxMail.filter(template="set_password").count() == 2


@pytest.mark.parametrize("token", ["nope", "x" * 5000, "%3Cscript%3E", "' OR 1=1 --"])
async def test_unknown_link(client, db, token):
    page = await client.get(f"/mss/password/{token}")
    assert page.status_code == 404
    assert "This link is not valid" in text_of(page.text) and "<script>" not in page.text


async def test_link_page_in_french(client, db):
    client.headers["Accept-Language"] = "fr"
    page = text_of((await client.get("/mss/password/nope")).text)
    assert "Ce lien n'est pas valide" in page
