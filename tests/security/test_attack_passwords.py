"""Attacks on the password policy (issue 7 point 8): passphrases from breaches, and bytes
that the form would have stripped silently."""

from __future__ import annotations

import pytest
from accounts_support import MSS_EMAIL, csrf_from, log_in, make_account

from web.accounts import service, tokens
from web.accounts.passwords import check_password, personal_words
from web.operations.demo import DEMO_PASSWORD, demo_identities


async def choose(client, account, password: str):
    """What a member sends on the emailed reset page."""
    raw = await tokens.issue_token(account, tokens.RESET)
    page = await client.get(f"/mss/reset/{raw}?lang=en")
    return await client.post(f"/mss/reset/{raw}", data={
        "csrf_token": csrf_from(page.text), "password": password, "confirmation": password})


@pytest.mark.parametrize("password", [
    "correcthorsebatterystaple",  # the passphrase of a famous comic, in every breach list
    "correct horse battery staple 42",  # the same dressed up: the old demo password
    "Correct-Horse-Battery-Staple!",
    "iloveyousomuchbaby",
    "qwertyuiopasdfghjkl",
])
async def test_breached_passphrases_are_refused(client, password):
    account = await make_account()
    response = await choose(client, account, password)
    assert response.status_code == 422
    assert "This password is" in response.text and "common" in response.text
    await account.refresh_from_db()
    assert not await service.password_matches(account, password)


async def test_control_characters_in_a_password_get_the_policys_message(client):
    account = await make_account()
    response = await choose(client, account, "saffron tundra\x01pebble violin")
    assert response.status_code == 422
    assert "Your password contains an invisible control character: remove it." in response.text
    await account.refresh_from_db()
    assert not await service.password_matches(account, "saffron tundrapebble violin")


async def test_a_password_is_checked_as_typed_at_log_in(client):
    """The control character is not stripped at log-in either: it is part of what was sent."""
    await make_account(password="saffron tundrapebble violin")  # noqa: S106 - test data
    wrong = await log_in(client, "mss", MSS_EMAIL, "saffron tundra\x01pebble violin")
    assert wrong.status_code == 422


async def test_the_demo_password_meets_the_policy(db):
    for member in demo_identities():
        if member.has_account:
            personal = personal_words(identifier=member.identifier, last_name=member.last_name,
                                      first_names=member.first_names, email=member.email)
            assert await check_password(DEMO_PASSWORD, personal=personal) == [], member
