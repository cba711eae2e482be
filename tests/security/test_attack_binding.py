"""Attacks on the binding (issue 7 points 4, 5, 7): a credential only reaches a channel the
registry vouches for or one the member proved, and no page says whether an account exists.

Each test is the attacker's script: a browser of its own, the identity fields (and, where
said, one verification fact) of a member, the attacker's own mailbox."""

from __future__ import annotations

import asyncio
import json
import re

import pytest
from attack_support import browser
from espace_prive_support import (
    BASE,
    CONTACT,
    NIR,
    hidden_fields,
    location,
    make_member,
    submit,
    through_contact,
    through_verification,
)
from mss_support import EMAIL as MSS_EMAIL
from mss_support import Visitor
from mss_support import make_member as make_mss_member

from web.accounts import service as accounts
from web.accounts.models import Account
from web.mail.models import OutboxMail
from web.portals import journey as kit
from web.portals.espace_prive import letters
from web.portals.models import RegistrationDraft
from web.security import limits
from web.security.models import AttemptCounter
from web.urls import Links

ATTACKER_MAIL = "mallory@attacker.example"
REGISTRY_MAIL = "celine.hoarau@example.org"
POSTAL = {"q": ["health", "other", "postal"], "health": "no", "other": "none"}


@pytest.fixture(autouse=True)
def no_fill_delay(monkeypatch):
    monkeypatch.setattr(kit, "MIN_FILL_SECONDS", 0)


async def mail_to(address: str) -> list[OutboxMail]:
    """The mails to ``address``, in the order they were written (PostgreSQL returns rows in no
    set order: a table's rows move as others are updated and deleted)."""
    mails = await OutboxMail.all().order_by("id")
    return [m for m in mails if m.to.casefold() == address.casefold()]


async def postal_registration(client, email: str) -> str:
    """Identity only, the postal choice, the recap, the policy: where it ends."""
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
    await letters.export_letters(tmp_path, links=links(app), portals=app.state.portals)
    await account.refresh_from_db()
    portal = app.state.portals["espace-prive"]
    await accounts.set_password(account, "lantern quartz meadow violin 93", portal=portal,
                                links=links(app))
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


# -- point 4: a typed email is proved before it receives a password ---------------------------


ATTACKER = "198.51.100.66"
CODE_RE = re.compile(r"\b(\d{6})\b")


async def through_verified(client, email: str) -> None:
    """The identity and the Carte Vitale serial, with ``email`` typed as the contact address."""
    await through_contact(client, contact={**CONTACT, "email": email})
    assert location(await through_verification(client)) == BASE + "/password"


async def codes_sent_to(address: str) -> list[str]:
    return [CODE_RE.search(m.bodies()[0]).group(1)
            for m in await mail_to(address) if m.template == "email_code"]


async def type_code(client, code: str, headers=None):
    return await submit(client, "/password", {"email_code": code}, headers=headers)


async def test_a_typed_email_gets_no_password_before_its_code_is_typed_back(app):
    """The attacker knows the identity and the serial and types their own address: Suivant
    sends a code to it, and no way round (the policy page, its POST) finishes before the code
    is typed back."""
    await make_member(email=REGISTRY_MAIL)
    async with browser(app, ATTACKER) as attacker:
        await through_verified(attacker, ATTACKER_MAIL)
        assert location(await submit(attacker, "/password")) == BASE + "/password"
        assert len(await codes_sent_to(ATTACKER_MAIL)) == 1
        assert location(await attacker.get(BASE + "/terms")) == BASE + "/password"
        forced = await submit(attacker, "/terms", page=BASE + "/password")
        assert location(forced) == BASE + "/password"
        wrong = await type_code(attacker, "000000")
        assert wrong.status_code == 422
    assert not await Account.exists()
    assert not await OutboxMail.filter(template="provisional_password").exists()


async def test_the_registry_address_is_told_when_another_address_is_proved(app):
    await make_member(email=REGISTRY_MAIL)
    async with browser(app, ATTACKER) as visitor:
        await through_verified(visitor, ATTACKER_MAIL)
        await submit(visitor, "/password")
        [code] = await codes_sent_to(ATTACKER_MAIL)
        assert location(await type_code(visitor, code)) == BASE + "/terms"
        assert location(await submit(visitor, "/terms")) == BASE + "/done"
    account = await Account.get(login=NIR)
    assert account.email == ATTACKER_MAIL and account.email_proved_at is not None
    assert [m.template for m in await mail_to(ATTACKER_MAIL)] == ["email_code",
                                                                  "provisional_password"]
    [notice] = await mail_to(REGISTRY_MAIL)
    assert notice.template == "address_notice" and ATTACKER_MAIL in notice.text_body


async def test_the_registry_address_needs_no_code_and_is_mailed_as_the_registry_holds_it(app):
    await make_member(email="Celine.Hoarau@Example.org")
    async with browser(app, ATTACKER) as visitor:
        await through_verified(visitor, REGISTRY_MAIL)
        assert location(await submit(visitor, "/password")) == BASE + "/terms"
        assert location(await submit(visitor, "/terms")) == BASE + "/done"
    assert [(m.template, m.to) for m in await OutboxMail.all()] == [
        ("provisional_password", "Celine.Hoarau@Example.org")]


async def test_the_pencil_after_the_proof_verifies_again_and_proves_again(app):
    """Verified and proved with one address, the attacker's pencil puts another: the
    verification and the proof are gone (the email and mobile are part of what was verified),
    and the first address's code proves nothing of the second."""
    await make_member(email=REGISTRY_MAIL)
    async with browser(app, ATTACKER) as attacker:
        await through_verified(attacker, "first@attacker.example")
        await submit(attacker, "/password")
        [code] = await codes_sent_to("first@attacker.example")
        assert location(await type_code(attacker, code)) == BASE + "/terms"
        for change in ({"email": ATTACKER_MAIL}, {"mobile": "0612345678"}):
            edited = await submit(attacker, "/contact?back=password", {**CONTACT, **change})
            assert location(edited) == BASE + "/verification"
            assert location(await attacker.get(BASE + "/terms")) == BASE + "/verification"
        await submit(attacker, "/contact?back=password", {**CONTACT, "email": ATTACKER_MAIL})
        assert location(await through_verification(attacker)) == BASE + "/password"
        assert (await type_code(attacker, code)).status_code == 422
        assert location(await attacker.get(BASE + "/terms")) == BASE + "/password"
    assert not await Account.exists()


async def test_ten_codes_a_day_per_member_whoever_asks(app):
    """From ever new browsers and addresses, one member's identity gets ten codes a day."""
    await make_member(email=REGISTRY_MAIL)
    statuses = []
    for n in range(11):
        async with browser(app, f"198.51.100.{n}") as attacker:
            await through_verified(attacker, f"box{n}@attacker.example")
            statuses.append((await submit(attacker, "/password")).status_code)
    assert statuses == [303] * 10 + [429]
    assert sum([len(await codes_sent_to(f"box{n}@attacker.example")) for n in range(11)]) == 10


async def test_a_code_takes_five_wrong_tries_then_stops_working(app):
    await make_member(email=REGISTRY_MAIL)
    async with browser(app, ATTACKER) as attacker:
        await through_verified(attacker, ATTACKER_MAIL)
        await submit(attacker, "/password")
        [code] = await codes_sent_to(ATTACKER_MAIL)
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        assert [(await type_code(attacker, wrong)).status_code for _ in range(5)] == [422] * 5
        assert (await type_code(attacker, code)).status_code == 422  # dead: a new code is needed
        assert location(await attacker.get(BASE + "/terms")) == BASE + "/password"


async def test_guesses_sent_together_check_five_at_most(app):
    """Twenty wrong codes and the right one at once: at most five are checked, so the right
    one only passes if it is among them, and nothing more is learnt."""
    await make_member(email=REGISTRY_MAIL)
    async with browser(app, ATTACKER) as attacker:
        await through_verified(attacker, ATTACKER_MAIL)
        await submit(attacker, "/password")
        [code] = await codes_sent_to(ATTACKER_MAIL)
        page = await attacker.get(BASE + "/password")
        body = {**hidden_fields(page.text), "action": "next"}
        guesses = [f"{(int(code) + n) % 1_000_000:06d}" for n in range(1, 21)]
        responses = await asyncio.gather(*(
            attacker.post(BASE + "/password", data={**body, "email_code": guess})
            for guess in guesses))
        assert all(r.status_code == 422 for r in responses)
    counters = await AttemptCounter.filter(key__startswith="email-code-try:")
    assert [c.count for c in counters] == [5]


async def test_the_code_is_not_kept_in_clear(app):
    await make_member(email=REGISTRY_MAIL)
    async with browser(app, ATTACKER) as attacker:
        await through_verified(attacker, ATTACKER_MAIL)
        await submit(attacker, "/password")
        [code] = await codes_sent_to(ATTACKER_MAIL)
    stored = json.dumps([d.data for d in await RegistrationDraft.all()])
    assert code not in stored and "email_code" in stored


# -- point 7: no page says whether an account exists -------------------------------------------


TOKENS = (
    (re.compile(r'(name="(?:csrf_token|shown)" value=")[^"]*'), r"\1…"),
    (re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:\+00:00)?( UTC)?"), "…"),
    (re.compile(r"(<time[^>]*>).*?(</time>)", re.S), r"\1…\2"),  # the moment, localized
)
ANSWERED = ("content-type", "location", "hx-push-url", "hx-redirect", "retry-after")


class Recorder:
    """What the attacker sees of each answer: status, the headers that steer the browser, and
    the page, with the tokens and times (which differ at every visit) blanked."""

    def __init__(self) -> None:
        self.seen = []

    async def __call__(self, response) -> None:
        await response.aread()
        page = response.text
        for pattern, blank in TOKENS:
            page = pattern.sub(blank, page)
        headers = {name: response.headers.get(name) for name in ANSWERED}
        self.seen.append((response.request.method, str(response.request.url),
                          response.status_code, headers, page))


def links(app) -> Links:
    return Links("http://testserver", app)


async def recorded(app, journey) -> list:
    recorder = Recorder()
    async with browser(app, ATTACKER) as attacker:
        attacker.event_hooks["response"] = [recorder]
        await journey(attacker)
    return recorder.seen


async def activate(login: str, app, portal: str) -> None:
    account = await Account.get(login=login)
    await accounts.set_password(account, "lantern quartz meadow violin 93",
                                portal=app.state.portals[portal], links=links(app))


async def test_espace_prive_postal_answers_the_same_with_or_without_an_account(app, tmp_path):
    """The identity only, the postal choice, twice: first for a member without an account,
    then once the member has one. Every answer is the same; the member learns of the second
    by the letter, which names no password and says how to log in."""
    await make_member(email="")

    async def journey(attacker):
        assert await postal_registration(attacker, ATTACKER_MAIL) == BASE + "/done"
        await attacker.get(BASE + "/done")

    without = await recorded(app, journey)
    await letters.export_letters(tmp_path, links=links(app), portals=app.state.portals)
    await activate(NIR, app, "espace-prive")
    with_account = await recorded(app, journey)
    assert [seen[:3] for seen in with_account] == [seen[:3] for seen in without]
    assert with_account == without
    assert await Account.filter(login=NIR).count() == 1
    [second] = await letters.export_letters(tmp_path, links=links(app), portals=app.state.portals)
    letter = second.read_text("utf-8")
    assert "Vous avez déjà un espace privé" in letter and "2 85 03 97 411 023" in letter
    assert "Mot de passe provisoire" not in letter
    assert (await Account.get(login=NIR)).password_state == accounts.ACTIVE


async def test_mss_verify_answers_the_same_with_or_without_an_account(app, monkeypatch):
    """The identity fields, the two answers, Register, the done page and "send again": for a
    member without an account, then with one, every answer is the same. The member with an
    account is told by mail, at the registry's address."""
    monkeypatch.setattr(kit, "MIN_FILL_SECONDS", 0)
    await make_mss_member()

    async def journey(attacker):
        visitor = Visitor(attacker)
        await visitor.open()
        await visitor.ready()
        assert location(await visitor.register()) == "/mss/register/done"
        await attacker.get("/mss/register/done")
        await limits.clear_prefix("resend:")
        await visitor.post("/mss/register/resend")

    without = await recorded(app, journey)
    await activate(MSS_EMAIL, app, "mss")
    with_account = await recorded(app, journey)
    assert [seen[:3] for seen in with_account] == [seen[:3] for seen in without]
    assert with_account == without
    told = [m.template for m in await mail_to(MSS_EMAIL)]
    assert told == ["set_password", "set_password", "password_changed", "already_registered",
                    "already_registered"]
