"""Guide steps 5-7 and the first log-in: "Recevoir votre mot de passe" with its recap, the
policy, "Inscription terminée" (email or post), the provisional password, double submit."""

from __future__ import annotations

import asyncio
import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from espace_prive_support import (
    BASE,
    CONTACT,
    NIR,
    SERIAL,
    confirm_email,
    draft,
    hidden_fields,
    last_code,
    location,
    make_member,
    submit,
    through_contact,
    through_password,
    through_verification,
)

from web.accounts import service as accounts
from web.accounts.models import Account
from web.mail.models import Letter, OutboxMail
from web.portals import journey
from web.portals.espace_prive.wizard import Draft, Finished
from web.registry.models import Member
from web.security import limits
from web.security.models import AuditEvent

HX = {"HX-Request": "true", "HX-Request-Type": "partial"}
NEW_PASSWORD = "marble kettle sunrise ocean"  # noqa: S105 - test data
PASSWORD_RE = re.compile(r"([a-z2-9]{4}(?:-[a-z2-9]{4}){6})")


@pytest.fixture(autouse=True)
def no_fill_delay(monkeypatch):
    monkeypatch.setattr(journey, "MIN_FILL_SECONDS", 0)


def text(response) -> str:
    return html.unescape(response.text)


async def test_receive_your_password_recaps_every_answer(client):
    await make_member()
    await through_contact(client)
    await through_verification(client)
    page = await client.get(BASE + "/password")
    body = text(page)
    assert "Étape 5 sur 6 – Recevoir votre mot de passe" in body
    assert "Vous allez recevoir votre mot de passe provisoire à l'adresse :" in body
    for shown in (
        "Particulier",
        "2 85 03 97 411 023",
        "Hoarau",
        "Céline",
        "14 mars 1985",
        "celine.hoarau@example.org",
        "+262 692 65 43 21",
        "Numéro de série de votre carte Vitale",
    ):
        assert shown in body
    for link in (
        "/profile?back=password#profile-0",
        "/identifier?back=password#identifier",
        "/contact?back=password#last_name",
        "/contact?back=password#email",
        "/contact?back=password#mobile",
        "/verification?back=password#heading",
    ):
        assert f'href="{BASE}{link}"' in page.text
    # the ✎ says what it does to assistive technology, and is the only link to that page
    assert (f'<a class="button button--link" href="{BASE}/contact?back=password#email">'
            '<span aria-hidden="true">✎</span><span class="visually-hidden">Modifier l'
            "'adresse e-mail</span></a>") in page.text
    assert page.text.count(f'href="{BASE}/contact?back=password#email"') == 1


VERIFY = BASE + "/verification"
CARD = {"q": ["health", "card", "serial"], "health": "yes", "card_kind": "photo", "serial": SERIAL}


def change_link(recap: str, path: str) -> str:
    """The recap's change link to ``path`` (its #fragment dropped, as the browser sends it)."""
    href = re.search(rf'href="({re.escape(BASE + path)}\?back=password)#[^"]+"', recap)
    assert href, f"no change link to {path}"
    return href.group(1)


@pytest.mark.parametrize(
    ("path", "answers"),
    [
        ("/profile", [{"profile": "particulier"}]),
        ("/identifier", [{"identifier": "2 85 03 97 411 023"}]),
        ("/contact", [CONTACT]),
        ("/verification", [CARD]),  # the whole chain on one page, as htmx sends it
        ("/verification", [{"health": "yes"}, {"card_kind": "photo"}, {"serial": SERIAL}]),
    ],
    ids=["profile", "identifier", "contact", "verification", "verification-page-by-page"],
)
async def test_each_change_link_of_the_recap_comes_back_to_it(client, path, answers):
    await make_member()
    await through_contact(client)
    await through_verification(client)
    recap = (await client.get(BASE + "/password")).text
    url = change_link(recap, path)
    page = await client.get(url)
    assert page.status_code == 200 and f'action="{url}"' in page.text
    response = await submit(client, url.removeprefix(BASE), answers[0])
    for answer in answers[1:]:  # without JS, each question of the verification is a page
        response = await submit(client, location(response).removeprefix(BASE), answer)
    assert location(response) == BASE + "/password"
    assert (await client.get(BASE + "/password")).status_code == 200


async def test_a_change_that_touches_the_identity_verifies_again_then_comes_back(client):
    await make_member(facts={"profile": "exploitant", "health_affiliated": True,
                             "vitale_serial": SERIAL, "vitale_kind": "photo", "iban": ""})
    await through_contact(client, profile="exploitant")
    await through_verification(client)
    recap = (await client.get(BASE + "/password")).text
    response = await submit(client, change_link(recap, "/profile").removeprefix(BASE),
                            {"profile": "particulier"})
    assert location(response) == VERIFY  # the profile is part of what was verified
    assert location(await client.get(BASE + "/password")) == VERIFY
    assert (await through_verification(client)).status_code == 422  # not the registry's
    response = await submit(client, change_link(recap, "/profile").removeprefix(BASE),
                            {"profile": "exploitant"})
    assert location(response) == BASE + "/password"  # the identity that was verified


async def test_pencil_edits_the_email_then_comes_back(client):
    await make_member()
    await through_contact(client)
    await through_verification(client)
    edit = await client.get(BASE + "/contact?back=password")
    assert 'action="/espace-prive/register/contact?back=password"' in edit.text
    new = {**CONTACT, "email": "c.hoarau@example.net"}
    response = await submit(client, "/contact?back=password", new)
    assert location(response) == VERIFY  # the email is part of what was verified
    assert location(await through_verification(client)) == BASE + "/password"
    assert "c.hoarau@example.net" in (await client.get(BASE + "/password")).text


async def test_policy_step(client):
    await make_member()
    await through_password(client)
    page = await client.get(BASE + "/terms")
    body = text(page)
    assert "Étape 6 sur 6 – Accepter les conditions générales d'utilisation" in body
    assert "Finaliser mon inscription en acceptant les conditions générales d'utilisation" in body
    assert f'href="{BASE}/terms/read"' in page.text and 'data-dialog="policy-dialog"' in page.text
    read = await client.get(BASE + "/terms/read")
    assert "<h1" in read.text and "Conditions générales d'utilisation" in text(read)
    assert f'href="{BASE}/terms"' in read.text
    dialog = await client.get(BASE + "/terms/read", headers=HX)
    assert dialog.text.lstrip().startswith("<dialog")


async def finish(client, headers=None):
    return await submit(client, "/terms", headers=headers)


async def test_registration_by_email(client):
    await make_member()
    await through_password(client)
    before = datetime.now(UTC)
    response = await finish(client)
    assert location(response) == BASE + "/done"
    account = await Account.get(portal="espace-prive", login=NIR)
    assert account.email == CONTACT["email"] and account.language == "fr"
    assert account.mobile == "+262692654321"  # typed 0692 65 43 21, kept in E.164
    assert account.policy_version == "2026-01"
    assert before <= account.policy_accepted_at <= datetime.now(UTC)
    assert account.password_state == accounts.PROVISIONAL
    assert timedelta(days=7) <= account.password_expires_at - before <= timedelta(days=7, minutes=1)
    assert account.password_hash.startswith("$argon2id$")
    mail = await OutboxMail.get(template="provisional_password")
    assert mail.to == CONTACT["email"] and mail.language == "fr"
    assert "2 85 03 97 411 023" in mail.text_body
    password = PASSWORD_RE.search(mail.bodies()[0]).group(1)
    assert password not in account.password_hash
    assert await AuditEvent.filter(event="registration").count() == 1
    done = await client.get(BASE + "/done")
    body = text(done)
    assert "Inscription terminée" in body
    assert "Votre demande d'inscription à Mon espace privé est en cours de traitement." in body
    assert "email de confirmation contenant le mot de passe provisoire" in body
    assert 'href="/espace-prive/login"' in done.text and "Se connecter à Mon espace privé" in body
    saved = await draft(client)  # nothing personal kept but the email
    assert saved == Draft(started=saved.started, finished=Finished("email", CONTACT["email"]))


async def test_registration_in_english_mails_in_english(client):
    await make_member()
    await client.get("/espace-prive/?lang=en")
    await through_password(client)
    await finish(client)
    account = await Account.get(login=NIR)
    mail = await OutboxMail.get(template="provisional_password")
    assert account.language == "en" and mail.language == "en"
    assert mail.subject == "Your provisional password for My private space"
    assert "Provisional password:" in mail.text_body and "Identifier:" in mail.html_body
    done = await client.get(BASE + "/done")
    assert "Registration complete" in done.text and "Log in to My private space" in done.text


async def test_registration_by_post(client):
    await make_member()
    await through_contact(client, contact={**CONTACT, "mobile": ""})
    data = {"q": ["health", "other", "postal"], "health": "no", "other": "none"}
    assert location(await submit(client, "/verification", data)) == BASE + "/password"
    await submit(client, "/password")
    assert location(await finish(client)) == BASE + "/done"
    account = await Account.get(login=NIR)
    assert account.password_state == accounts.PENDING and account.password_hash == ""
    assert account.mobile == ""  # none given
    letter = await Letter.get(account=account)
    assert letter.address.startswith("12 rue de Paris") and letter.language == "fr"
    assert letter.exported_at is None
    assert await OutboxMail.filter(template="provisional_password").count() == 0
    body = text(await client.get(BASE + "/done"))
    assert "Un courrier contenant votre mot de passe provisoire sera envoyé" in body
    assert "Se connecter à Mon espace privé" in body


async def test_htmx_finish_goes_to_a_full_page(client):
    await make_member()
    await through_password(client)
    response = await finish(client, headers=HX)
    assert response.status_code == 200 and response.headers["HX-Redirect"] == BASE + "/done"


async def test_double_submit_makes_one_account(client, monkeypatch):
    # One registration allowed from this address: the second submit creates nothing, so it
    # must not count (nor lock the address).
    monkeypatch.setattr(accounts, "REGISTRATION_CLIENT", limits.Rule(
        limit=2, window=timedelta(hours=1), lockout=timedelta(hours=1)))
    await make_member()
    await through_password(client)
    page = await client.get(BASE + "/terms")
    body = {**hidden_fields(page.text), "action": "next"}
    first, second = await asyncio.gather(
        client.post(BASE + "/terms", data=body), client.post(BASE + "/terms", data=body)
    )
    assert {location(first), location(second)} == {BASE + "/done"}
    third = await client.post(BASE + "/terms", data=body)
    assert location(third) == BASE + "/done"
    assert await Account.filter(login=NIR).count() == 1
    assert await OutboxMail.filter(template="provisional_password").count() == 1
    [key] = accounts.registration_rules("203.0.113.7")
    assert await limits.failures(key) == 1


async def test_registration_race_with_another_visitor(client, app):
    """Someone else registered the same member between verification and finishing."""
    member = await make_member()
    await through_password(client)
    await accounts.create_account(
        member,
        portal="espace-prive",
        login=NIR,
        email="other@example.org",
        language="fr",
        policy_version="2026-01",
    )
    assert location(await finish(client)) == BASE + "/already"


async def test_registrations_are_limited_per_client(client, monkeypatch):
    from web.security import limits

    monkeypatch.setattr(
        accounts,
        "REGISTRATION_CLIENT",
        limits.Rule(limit=1, window=timedelta(hours=1), lockout=timedelta(hours=1)),
    )
    await make_member()
    await through_password(client)
    await finish(client)
    await make_member(identifier="1850578006084", birth_date=datetime(1985, 5, 1).date())
    await client.get(BASE)  # starts again
    await through_contact(
        client,
        identifier="1850578006084",
        contact={**CONTACT, "birth_month": "5", "birth_day": "1"},
    )
    assert location(await through_verification(client)) == BASE + "/password"
    await confirm_email(client)
    response = await finish(client)
    assert response.status_code == 429 and "Trop d'inscriptions" in text(response)


async def test_first_log_in_forces_a_new_password(client):
    await make_member()
    await through_password(client)
    await finish(client)
    mail = await OutboxMail.get(template="provisional_password")
    password = PASSWORD_RE.search(mail.bodies()[0]).group(1)
    login = await client.get("/espace-prive/login")
    response = await client.post(
        "/espace-prive/login",
        data={**hidden_fields(login.text), "login": "2 85 03 97 411 023", "password": password},
    )
    assert location(response) == "/espace-prive/account/new-password"
    page = await client.get("/espace-prive/account/new-password")
    response = await client.post(
        "/espace-prive/account/new-password",
        data={**hidden_fields(page.text), "password": NEW_PASSWORD, "confirmation": NEW_PASSWORD},
    )
    assert location(response).startswith("/espace-prive/account")
    space = await client.get("/espace-prive/account")
    assert space.status_code == 200 and "Céline" in space.text
    account = await Account.get(login=NIR)
    assert account.password_state == accounts.ACTIVE and account.password_expires_at is None


async def test_expired_provisional_password(client):
    await make_member()
    await through_password(client)
    await finish(client)
    mail = await OutboxMail.get(template="provisional_password")
    password = PASSWORD_RE.search(mail.bodies()[0]).group(1)
    account = await Account.get(login=NIR)
    account.password_expires_at = datetime.now(UTC) - timedelta(minutes=1)
    await account.save()
    login = await client.get("/espace-prive/login")
    response = await client.post(
        "/espace-prive/login",
        data={**hidden_fields(login.text), "login": NIR, "password": password},
    )
    assert response.status_code == 422 and "a expiré" in text(response)
    assert (await client.get("/espace-prive/account")).status_code in (302, 303)


async def test_start_again_after_finishing(client):
    await make_member()
    await through_password(client)
    await finish(client)
    assert location(await client.get(BASE + "/terms")) == BASE + "/done"
    assert location(await client.get(BASE)) == BASE + "/profile"
    assert await draft(client) is None


async def test_serial_with_spaces_matches(client):
    await make_member()
    await through_contact(client)
    spaced = " ".join(SERIAL[i : i + 3] for i in range(0, 9, 3))
    response = await through_verification(
        client, q=["health", "card", "serial"], health="yes", card_kind="photo", serial=spaced
    )
    assert location(response) == BASE + "/password"


async def test_an_email_typed_for_a_postal_registration_cannot_reset_the_password(client, app):
    """Identity known, no fact given: the letter goes to the registry address, and the email
    typed in the wizard is never trusted with a reset link (it could be anyone's) unless it is
    the registry's."""
    await make_member()
    await through_contact(client, contact={**CONTACT, "email": "someone.else@example.net"})
    data = {"q": ["health", "other", "postal"], "health": "no", "other": "none"}
    await submit(client, "/verification", data)
    await submit(client, "/password")
    await finish(client)
    account = await Account.get(login=NIR)
    portal = app.state.portals["espace-prive"]
    assert not await accounts.request_password_reset(portal, NIR, links=app.state.links)
    await accounts.issue_provisional_password(account)  # the letter is exported
    assert not await accounts.request_password_reset(portal, NIR, links=app.state.links)
    await accounts.set_password(account, "lantern quartz meadow violin 93", portal=portal,
                                links=app.state.links)  # first log-in, new password chosen
    assert not await accounts.request_password_reset(portal, NIR, links=app.state.links)
    await Member.filter(identifier=NIR).update(email="someone.else@example.net")
    assert await accounts.request_password_reset(portal, NIR, links=app.state.links)  # registry's


async def test_an_emailed_provisional_password_can_be_replaced_by_a_reset(client, app):
    await make_member()
    await through_password(client)
    await finish(client)
    portal = app.state.portals["espace-prive"]
    assert await accounts.request_password_reset(portal, NIR, links=app.state.links)


def step_block(page: str) -> str:
    """The step's content, without the CSRF tokens (the same for a swap and a reload) and
    without a swap's partials for the title and the live region (outside the step)."""
    start = page.index('<h1 id="heading"')
    step = page[start:page.index("</main>") if "</main>" in page else len(page)]
    step = re.sub(r"<hx-partial [^>]*>.*?</hx-partial>\n?", "", step, flags=re.S)
    return re.sub(r'name="csrf_token" value="[^"]+"', "", step).strip()


async def test_the_code_step_with_htmx_is_what_a_reload_shows(client):
    await make_member()
    await through_contact(client)
    await through_verification(client)
    first = await client.get(BASE + "/password")
    assert "nous vérifions qu'elle est bien à vous" in text(first)
    assert 'name="email_code"' not in first.text
    sent = await submit(client, "/password", headers=HX)
    assert sent.status_code == 200 and sent.headers["HX-Push-Url"] == BASE + "/password"
    reload = await client.get(BASE + "/password")
    assert 'name="email_code"' in reload.text and 'autocomplete="one-time-code"' in reload.text
    assert "Nous avons envoyé un code à 6 chiffres à celine.hoarau@example.org" in text(reload)
    assert step_block(sent.text) == step_block(reload.text)
    wrong = await submit(client, "/password", {"email_code": "12 34 5"}, headers=HX)
    assert wrong.status_code == 422 and 'aria-invalid="true"' in wrong.text
    assert "Saisissez le code à 6 chiffres" in text(wrong)
    proved = await submit(client, "/password", {"email_code": await last_code()}, headers=HX)
    assert proved.headers["HX-Push-Url"] == BASE + "/terms"


async def test_a_new_code_replaces_the_previous_one(client):
    await make_member()
    await through_contact(client)
    await through_verification(client)
    await submit(client, "/password")
    first = await last_code()
    resent = await submit(client, "/password", {"action": "send_code"})
    assert location(resent) == BASE + "/password"
    assert await OutboxMail.filter(template="email_code").count() == 2
    second = await last_code()
    if first != second:
        refused = await submit(client, "/password", {"email_code": first})
        assert refused.status_code == 422
    assert location(await submit(client, "/password", {"email_code": second})) == BASE + "/terms"


async def test_the_code_mail_in_english_names_no_one(client):
    await make_member()
    await client.get("/espace-prive/?lang=en")
    await through_contact(client)
    await through_verification(client)
    await submit(client, "/password")
    mail = await OutboxMail.get(template="email_code")
    assert mail.to == CONTACT["email"] and mail.language == "en"
    assert mail.subject == "Your confirmation code for My private space"
    assert "It works for 30 minutes" in mail.text_body
    assert "Céline" not in mail.text_body + mail.html_body
    page = await client.get(BASE + "/password")
    assert "We have sent a 6-digit code to celine.hoarau@example.org" in page.text
