"""Guide steps 5–7 over HTTP: the policy, S'inscrire, the confirmation, resend, change email."""

import asyncio
import re
from dataclasses import replace
from datetime import timedelta

import pytest
from mss_support import EMAIL, FIELDS, HX, Visitor, make_member, text_of

from web.accounts import service as accounts
from web.accounts.models import Account, Token
from web.clock import now
from web.mail.models import OutboxMail
from web.portals import journey
from web.portals.mss import links
from web.security import limits
from web.security.models import AttemptCounter, AuditEvent


@pytest.fixture(autouse=True)
def english_and_no_minimum_time(monkeypatch, client):
    monkeypatch.setattr(journey, "MIN_FILL_SECONDS", 0)
    client.headers["Accept-Language"] = "en"


def link_in(mail: OutboxMail) -> str:
    return re.search(r"http://\S+/mss/password/(\S+)", mail.bodies()[0]).group(1)


async def end_cooldown() -> None:
    await AttemptCounter.filter(key__startswith="resend:").delete()


# Step 5: the policy -----------------------------------------------------------------------------


async def test_policy_without_js_is_a_page_that_comes_back_with_everything(client, db):
    visitor = Visitor(client)
    read = await visitor.post("/mss/register/policy", {**FIELDS, "action": "read"})
    assert read.status_code == 303 and read.headers["location"] == "/mss/register/policy"
    page = await client.get("/mss/register/policy")
    assert page.status_code == 200 and "<h1" in page.text
    assert "Privacy policy and terms of use" in text_of(page.text)
    assert "exclusive use of the Fund's participants" in text_of(page.text)
    assert 'value="accept"' in page.text and 'href="/mss/register#policy"' in page.text
    accepted = await visitor.post("/mss/register/policy", {"action": "accept"})
    assert accepted.headers["location"] == "/mss/register#policy"
    form = (await client.get("/mss/register")).text
    assert 'id="policy-accepted"' in form and f'value="{EMAIL}"' in form


async def test_policy_cancel_keeps_it_unaccepted(client, db):
    visitor = Visitor(client)
    response = await visitor.post("/mss/register/policy", {"action": "cancel"})
    assert response.status_code == 303
    assert 'id="policy-accepted"' not in (await client.get("/mss/register")).text


async def test_policy_with_htmx_is_a_dialog_then_the_line_is_swapped(client, db):
    visitor = Visitor(client)
    dialog = await visitor.post("/mss/register/policy", {**FIELDS, "action": "read"}, partial=True)
    assert dialog.status_code == 200
    assert dialog.text.lstrip().startswith("<dialog") and "data-open" in dialog.text
    assert "Accept" in dialog.text and "data-close-dialog" in dialog.text
    line = await visitor.post("/mss/register/policy", {"action": "accept"}, partial=True)
    assert 'id="policy-accepted"' in line.text and "<html" not in line.text
    assert "You have accepted the privacy policy" in line.text  # status region
    assert len(line.content) < 3000 and len(dialog.content) < 3000
    assert f'value="{EMAIL}"' in (await client.get("/mss/register")).text  # saved by "read"


async def test_policy_in_french(client, db):
    client.headers["Accept-Language"] = "fr"
    page = text_of((await client.get("/mss/register/policy")).text)
    assert "L'utilisation de l'Espace Client" in page and "Accepter" in page and "Annuler" in page


# Step 6: S'inscrire -------------------------------------------------------------------------------


async def test_register_needs_verification_and_policy(client, db):
    await make_member()
    visitor = Visitor(client)
    response = await visitor.register()
    assert response.status_code == 422
    text = text_of(response.text)
    assert "Verify your identity: select Verify and answer the security questions." in text
    assert "Read and accept the privacy policy and terms of use." in text
    assert 'href="#verify"' in response.text and 'href="#policy-read"' in response.text
    assert await Account.all().count() == 0


async def test_register_before_the_email_links_where_the_security_questions_go(client, db):
    """No valid email yet: no Verify button on the page (with JS), so the summary links to the
    security questions' place, where the message is."""
    response = await Visitor(client).register({**FIELDS, "email": "", "email_confirm": ""})
    assert response.status_code == 422
    message = ("Verify your identity: enter your email address, then select Verify and answer "
               "the security questions.")
    assert f'<a href="#security">{message}</a>' in response.text
    assert 'id="security-error"' in response.text.split('<div id="security"')[1].split("</div>")[0]


async def test_a_wrong_answer_is_described_by_its_own_message(client, db):
    await make_member()
    visitor = Visitor(client)
    await visitor.verify()
    response = await visitor.answer("Nowhere")
    fieldset = re.search(r'<fieldset[^>]*id="security-field"[^>]*>', response.text).group(0)
    assert "aria-describedby" not in fieldset  # the answer field is; "security-field-error" is not
    assert 'id="security-field-error"' not in response.text
    assert 'aria-describedby="answer-hint answer-error' in response.text


async def test_register_without_policy(client, db):
    await make_member()
    visitor = Visitor(client)
    await visitor.verify()
    await visitor.answer_all()
    response = await visitor.register()
    assert response.status_code == 422
    assert "Read and accept the privacy policy" in text_of(response.text)
    assert "Verify your identity" not in text_of(response.text)


async def test_register_creates_account_token_and_mail_in_the_member_language(client, db):
    """The member's language is the one they use on the site when they register (English
    here), not the registry's ``language`` column (French here): see ``open_account``."""
    member = await make_member(language="fr")
    client.headers["Accept-Language"] = "en"
    visitor = Visitor(client)
    await visitor.ready()
    response = await visitor.register()
    assert response.status_code == 303 and response.headers["location"] == "/mss/register/done"
    account = await Account.get(member=member)
    assert account.portal == "mss" and account.login == EMAIL and account.email == EMAIL
    assert account.password_state == "pending" and account.password_hash == ""  # noqa: S105
    assert account.policy_version == "2026-01"
    assert account.policy_accepted_at < account.created_at  # when "Accept" was selected
    assert account.language == "en"
    token = await Token.get(account=account)
    assert token.purpose == "set_password" and token.used_at is None
    assert timedelta(hours=23) < token.expires_at - token.created_at <= timedelta(hours=24)
    mail = await OutboxMail.get(template="set_password")
    assert mail.to == EMAIL and mail.language == "en"
    assert "Hello Claire Dubois" in mail.text_body and "Bonjour" not in mail.text_body
    assert "Confirm" in mail.html_body and "Confirmer" not in mail.html_body
    assert token.token_hash != link_in(mail)  # only the hash is stored
    assert await AuditEvent.filter(event="registration").count() == 1


async def test_mail_in_french_when_the_member_registers_in_french(client, db):
    await make_member(language="en")
    client.headers["Accept-Language"] = "fr"
    visitor = Visitor(client)
    await visitor.ready()
    await visitor.register()
    mail = await OutboxMail.get(template="set_password")
    assert mail.language == "fr" and "Bonjour Claire Dubois" in mail.text_body
    assert "Confirmer" in mail.html_body


async def test_confirmation_page(client, db):
    await make_member()
    client.headers["Accept-Language"] = "fr"
    visitor = Visitor(client)
    await visitor.ready()
    await visitor.register()
    page = await client.get("/mss/register/done")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    text = text_of(page.text)
    assert "<title>Enregistrement (1/2) confirmé – Espace Client</title>" in page.text
    assert "Enregistrement (1/2) : saisie de vos informations" in text
    assert "Félicitations !" in text
    assert re.search(
        r"Vous avez complété la première étape de l'enregistrement de votre compte "
        r"Espace Client le \d{1,2} [a-zéû]+ \d{4}, \d\d:\d\d:\d\d TU ?\.",
        text,
    )
    assert "Il ne reste plus qu'une étape : définir votre mot de passe." in text
    assert "dossier SPAM" in text and "support-mss@espace.example.org" in text
    assert 'action="/mss/register/resend"' in page.text
    assert 'href="/mss/register/email"' in page.text


async def test_confirmation_in_english(client, db):
    await make_member()
    visitor = Visitor(client)
    await visitor.ready()
    await visitor.register()
    text = text_of((await client.get("/mss/register/done")).text)
    assert "Registration (1/2): your information" in text and "Congratulations!" in text
    assert "spam or junk mail folder" in text


async def test_confirmation_needs_a_registration(client, db):
    response = await client.get("/mss/register/done")
    assert response.status_code == 303 and response.headers["location"] == "/mss/register"


async def test_double_submit_makes_one_account(client, db):
    await make_member()
    visitor = Visitor(client)
    await visitor.ready()
    first, second = await asyncio.gather(visitor.register(), visitor.register())
    assert {first.status_code, second.status_code} == {303}
    assert await Account.all().count() == 1
    again = await visitor.register()
    assert again.status_code == 303 and again.headers["location"] == "/mss/register/done"
    assert await Account.all().count() == 1
    assert await OutboxMail.filter(template="set_password").count() == 1


async def test_a_registration_after_the_double_submit_window_is_another_one(client, db):
    """Past ``journey.DOUBLE_SUBMIT`` the pending account is an older registration's: its
    link is mailed again (a double submit sends none)."""
    await make_member()
    visitor = Visitor(client)
    await visitor.ready()
    assert (await visitor.register()).status_code == 303
    await Account.all().update(created_at=now() - journey.DOUBLE_SUBMIT - timedelta(seconds=1))
    client.cookies.clear()  # another browser
    other = Visitor(client)
    await other.ready()
    assert (await other.register()).headers["location"] == "/mss/register/done"
    assert await Account.all().count() == 1
    assert await OutboxMail.filter(template="set_password").count() == 2


async def test_honeypot_refuses(client, db):
    await make_member()
    visitor = Visitor(client)
    await visitor.ready()
    response = await visitor.post("/mss/register", {**FIELDS, "website": "http://spam.example"})
    assert response.status_code == 422
    assert "Please check your information, then select Register again." in text_of(response.text)
    assert await Account.all().count() == 0
    assert await AuditEvent.filter(event="registration_refused").exists()


async def test_too_fast_submission_is_asked_again(client, db, monkeypatch):
    await make_member()
    monkeypatch.setattr(journey, "MIN_FILL_SECONDS", 3600)
    visitor = Visitor(client)
    await visitor.ready()
    assert (await visitor.register()).status_code == 422
    monkeypatch.setattr(journey, "MIN_FILL_SECONDS", 0)
    assert (await visitor.register()).status_code == 303


async def test_the_robot_delay_of_a_test_server_is_its_settings(app, client, db, monkeypatch):
    await make_member()
    monkeypatch.setattr(journey, "MIN_FILL_SECONDS", 0)
    app.state.settings = replace(app.state.settings, min_fill_seconds=3600)
    visitor = Visitor(client)
    await visitor.ready()
    assert (await visitor.register()).status_code == 422
    app.state.settings = replace(app.state.settings, min_fill_seconds=0)
    assert (await visitor.register()).status_code == 303


async def test_registry_changed_after_verification(client, db):
    member = await make_member()
    visitor = Visitor(client)
    await visitor.ready()
    member.email = "new.address@example.org"
    await member.save()
    response = await visitor.register()
    assert response.status_code == 422
    assert "does not match our records" in text_of(response.text)
    assert await Account.all().count() == 0


async def register_another(client, number: int) -> tuple[dict, object]:
    """A new visitor registering another member, from the same client address."""
    email = f"member.{number}@example.org"
    await make_member(identifier=f"{number:09d}", email=email)
    fields = {**FIELDS, "uid": f"{number:09d}", "email": email, "email_confirm": email}
    client.cookies.clear()
    visitor = Visitor(client)
    await visitor.ready(fields)
    return fields, await visitor.register(fields)


async def test_registrations_are_limited_per_client_address(client, db, monkeypatch):
    """SPEC §5: registration is rate-limited per client address (429, localized)."""
    rule = limits.Rule(limit=2, window=timedelta(hours=1), lockout=timedelta(hours=1))
    monkeypatch.setattr(accounts, "REGISTRATION_CLIENT", rule)
    for number in (1, 2):
        assert (await register_another(client, number))[1].status_code == 303
    fields, refused = await register_another(client, 3)
    assert refused.status_code == 429
    message = "Too many registrations were made from your connection. Try again in 60 minutes."
    assert message in text_of(refused.text) and 'class="error-summary"' in refused.text
    assert 3540 < int(refused.headers["retry-after"]) <= 3600
    assert f'value="{fields["email"]}"' in refused.text  # nothing typed is lost
    assert await Account.all().count() == 2
    assert await OutboxMail.filter(template="set_password").count() == 2


async def test_registrations_that_create_nothing_do_not_count(client, db, monkeypatch):
    rule = limits.Rule(limit=1, window=timedelta(hours=1), lockout=timedelta(hours=1))
    monkeypatch.setattr(accounts, "REGISTRATION_CLIENT", rule)
    member = await make_member()
    visitor = Visitor(client)
    await visitor.ready()
    member.email = "new.address@example.org"
    await member.save()
    assert (await visitor.register()).status_code == 422  # the registry changed meanwhile
    assert (await register_another(client, 1))[1].status_code == 303


async def test_an_address_another_account_logs_in_with_is_refused(client, db):
    """Two registry members share one address (a couple): the second cannot register with
    it, and is told to contact support (no account, no mail)."""
    other = await make_member(identifier="000314160", first_names="Paul")
    await accounts.create_account(other, portal="mss", login=EMAIL, email=EMAIL,
                                  language="fr", policy_version="2026-01")
    await make_member()
    visitor = Visitor(client)
    await visitor.ready()
    response = await visitor.register()
    assert response.status_code == 409
    assert "This address cannot be used for your account" in text_of(response.text)
    assert await Account.all().count() == 1 and not await OutboxMail.exists()


# Resend and change email ----------------------------------------------------------------------


async def registered(client) -> Visitor:
    await make_member()
    visitor = Visitor(client)
    await visitor.ready()
    await visitor.register()
    await visitor.open("/mss/register/done")
    return visitor


async def test_resend_has_a_cooldown_then_replaces_the_link(client, db):
    visitor = await registered(client)
    too_soon = await visitor.post("/mss/register/resend")
    assert too_soon.status_code == 429
    assert re.search(r"You can ask for another email in \d+ seconds\.", text_of(too_soon.text))
    await end_cooldown()
    sent = await visitor.post("/mss/register/resend")
    assert sent.status_code == 303 and sent.headers["location"] == "/mss/register/done?sent=1"
    mails = await OutboxMail.filter(template="set_password").order_by("id")
    assert len(mails) == 2 and link_in(mails[0]) != link_in(mails[1])
    old = await client.get(f"/mss/password/{link_in(mails[0])}")
    assert old.status_code == 404  # replaced
    assert (await client.get(f"/mss/password/{link_in(mails[1])}")).status_code == 200
    page = text_of((await client.get("/mss/register/done?sent=1")).text)
    assert "We have sent the email again to claire.dubois@example.org." in page


async def test_resends_are_limited_per_client_address(client, db, monkeypatch):
    rule = limits.Rule(limit=1, window=timedelta(hours=1), lockout=timedelta(hours=1))
    monkeypatch.setattr(links, "RESEND_CLIENT", rule)
    visitor = await registered(client)
    await end_cooldown()
    assert (await visitor.post("/mss/register/resend")).status_code == 303
    await end_cooldown()
    refused = await visitor.post("/mss/register/resend")
    assert refused.status_code == 429
    said = text_of(refused.text)
    assert "Too many emails were asked for from your connection. Try again in 60 minutes." in said
    assert await OutboxMail.filter(template="set_password").count() == 2


async def test_resends_in_the_cooldown_do_not_count_against_the_client(client, db, monkeypatch):
    rule = limits.Rule(limit=1, window=timedelta(hours=1), lockout=timedelta(hours=1))
    monkeypatch.setattr(links, "RESEND_CLIENT", rule)
    visitor = await registered(client)
    for _ in range(3):
        assert (await visitor.post("/mss/register/resend")).status_code == 429  # cooldown
    await end_cooldown()
    assert (await visitor.post("/mss/register/resend")).status_code == 303


async def test_resends_at_once_send_one_email(client, db):
    visitor = await registered(client)
    await end_cooldown()
    answers = await asyncio.gather(*(visitor.post("/mss/register/resend") for _ in range(5)))
    assert sorted(answer.status_code for answer in answers) == [303, 429, 429, 429, 429]
    assert await OutboxMail.filter(template="set_password").count() == 2


async def test_resend_with_htmx_swaps_the_block(client, db):
    visitor = await registered(client)
    await end_cooldown()
    response = await visitor.post("/mss/register/resend", partial=True)
    assert response.status_code == 200 and "<html" not in response.text
    assert "We have sent the email again" in response.text and len(response.content) < 3000


async def test_resend_without_registration(client, db):
    response = await Visitor(client).post("/mss/register/resend")
    assert response.status_code == 303 and response.headers["location"] == "/mss/register"


async def test_change_email_must_be_the_address_on_record(client, db):
    visitor = await registered(client)
    page = await visitor.open("/mss/register/email")
    assert page.status_code == 200 and 'id="email-form"' in page.text
    response = await visitor.post(
        "/mss/register/email",
        {"email": "claire@example.net", "email_confirm": "claire@example.net"},
    )
    assert response.status_code == 422
    assert "not the one the Fund has on record" in text_of(response.text)
    invalid = await visitor.post("/mss/register/email", {"email": "<script>", "email_confirm": ""})
    assert invalid.status_code == 422 and "<script>" not in invalid.text


async def test_change_email_after_the_registry_was_updated(client, db):
    visitor = await registered(client)
    member = await (await Account.get()).member
    member.email = "claire.new@example.org"
    await member.save()
    await end_cooldown()
    response = await visitor.post(
        "/mss/register/email",
        {"email": "Claire.New@example.org", "email_confirm": "claire.new@example.org"},
    )
    assert response.status_code == 303
    account = await Account.get()
    assert account.login == "claire.new@example.org"
    last = await OutboxMail.filter(template="set_password").order_by("-id").first()
    assert last.to == "claire.new@example.org"  # the registry's spelling, not the typed one


async def test_partial_done_page_is_only_the_resend_block(client, db):
    visitor = await registered(client)
    response = await client.get("/mss/register/done", headers=HX)
    assert "<html" not in response.text and 'id="resend-button"' in response.text
    assert visitor.token
