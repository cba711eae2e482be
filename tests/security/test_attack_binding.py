"""Attacks on the binding (issue 7 points 4, 5, 7): a credential only reaches a channel the
registry vouches for or one the member proved, and no page says whether an account exists.

Each test is the attacker's script: a browser of its own, the identity fields (and, where
said, one verification fact) of a member, the attacker's own mailbox."""

from __future__ import annotations

import pytest
from attack_support import browser
from espace_prive_support import (
    BASE,
    CONTACT,
    NIR,
    location,
    make_member,
    submit,
    through_contact,
)

from web.accounts import service as accounts
from web.accounts.models import Account
from web.mail.models import OutboxMail
from web.portals.espace_prive import letters
from web.portals.espace_prive import routes as prive_routes

ATTACKER_MAIL = "mallory@attacker.example"
REGISTRY_MAIL = "celine.hoarau@example.org"
POSTAL = {"q": ["health", "other", "postal"], "health": "no", "other": "none"}


@pytest.fixture(autouse=True)
def no_fill_delay(monkeypatch):
    monkeypatch.setattr(prive_routes, "MIN_FILL_SECONDS", 0)


async def mail_to(address: str) -> list[OutboxMail]:
    return [m for m in await OutboxMail.all() if m.to.casefold() == address.casefold()]


async def postal_registration(client, email: str) -> str:
    """Identity only, the postal choice, the recap, the terms: where it ends."""
    await through_contact(client, contact={**CONTACT, "email": email})
    assert location(await submit(client, "/verification", POSTAL)) == BASE + "/password"
    assert location(await submit(client, "/password")) == BASE + "/terms"
    return location(await submit(client, "/terms"))


# -- point 5: postal registrations cannot be squatted -----------------------------------------


async def test_a_postal_squatter_is_never_mailed(app, tmp_path):
    """The attacker knows the identity only and registers by post with their own address: the
    account keeps no trace of it, and neither the letter's first log-in (the password-set
    notice) nor a forgotten-password request mails it. Only the registry address gets mail."""
    await make_member(email=REGISTRY_MAIL)
    async with browser(app, "198.51.100.66") as attacker:
        assert await postal_registration(attacker, ATTACKER_MAIL) == BASE + "/done"
    account = await Account.get(login=NIR)
    assert ATTACKER_MAIL not in (account.email, account.login)
    await letters.export_letters(tmp_path, base_url="http://testserver")
    await account.refresh_from_db()
    portal = app.state.portals["espace-prive"]
    await accounts.set_password(account, "lantern quartz meadow violin 93", portal=portal,
                                base_url="http://testserver")
    async with browser(app, "198.51.100.66") as attacker:
        page = await attacker.get("/espace-prive/forgot")
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        await attacker.post("/espace-prive/forgot", data={"csrf_token": token, "login": NIR})
    assert await mail_to(ATTACKER_MAIL) == []
    assert {m.template for m in await mail_to(REGISTRY_MAIL)} == {"password_changed",
                                                                   "reset_password"}


async def test_without_a_registry_address_a_postal_account_gets_no_mail(app):
    """The registry holds no email: the postal account has none either, until the registry
    gets one (then mail goes there, as the registry holds it)."""
    await make_member(email="")
    async with browser(app, "198.51.100.66") as attacker:
        await postal_registration(attacker, ATTACKER_MAIL)
    account = await Account.get(login=NIR)
    member = await account.member
    assert accounts.mail_destination(account, member) is None
    member.email = "Celine.Hoarau@Example.org"
    assert accounts.mail_destination(account, member) == "Celine.Hoarau@Example.org"
