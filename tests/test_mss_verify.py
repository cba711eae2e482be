"""Guide step 4 over HTTP: Verify, the two questions, mismatches, wrong answers, lockout."""

import html
import re
from datetime import date

import httpx
import pytest
from mss_support import ANSWERS, EMAIL, FIELDS, HX, Visitor, make_member, text_of
from sql_counter import counting

from web.accounts import service as accounts
from web.portals import journey
from web.portals.mss import page as registration_page
from web.portals.mss import service
from web.security.models import AuditEvent

MISMATCH = "The information you entered does not match our records."


@pytest.fixture(autouse=True)
def english_and_no_minimum_time(monkeypatch, client):
    monkeypatch.setattr(journey, "MIN_FILL_SECONDS", 0)
    client.headers["Accept-Language"] = "en"


def security_and_summary(page: str) -> str:
    """What a mismatch answer says, without the echoed values (to compare answers)."""
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S).group(0)
    security = re.search(r'<div id="security".*?</fieldset>', page, re.S).group(0)
    return summary + security


async def test_verify_then_both_questions_with_htmx(client, db):
    await make_member()
    visitor = Visitor(client)
    first = await visitor.verify(partial=True)
    assert first.status_code == 200 and "<html" not in first.text
    assert ("[1 / 2] Question 1 of 2: What is the name of your current employing organisation?"
            in text_of(first.text))  # shown [1 / 2], spoken "Question 1 of 2"
    assert '<span aria-hidden="true">[1 / 2]</span>' in first.text
    assert 'id="question-title" tabindex="-1" autofocus' in first.text
    assert "Institut Atlas des sols" in first.text  # among the suggestions
    assert first.text.count("<option") == service.SUGGESTIONS == 24
    assert "Question 1 of 2." in first.text  # status region
    assert len(first.content) < 3000
    second = await visitor.answer("  INSTITUT-ATLAS des Sols ", partial=True)
    assert ("[2 / 2] Question 2 of 2: In which country is your current duty station?"
            in text_of(second.text))
    assert "France" in second.text
    done = await visitor.answer("france", partial=True)
    assert done.status_code == 200
    assert "Your identity has been verified." in text_of(done.text)
    assert await AuditEvent.filter(event="verification_passed").count() == 1


async def test_questions_in_french_with_country_names_in_french(client, db):
    await make_member()
    client.headers["Accept-Language"] = "fr"
    visitor = Visitor(client)
    await visitor.verify()
    await visitor.answer(ANSWERS["employer"])
    page = text_of((await client.get("/mss/register")).text)
    assert "Question 2 sur 2 : Dans quel pays se trouve votre lieu d'affectation actuel ?" in page
    assert "Sélectionnez/Saisissez la réponse" in page and "Soumettre" in page
    response = await visitor.answer("FRANCE")
    assert response.status_code == 303
    assert "Votre identité a été vérifiée." in text_of((await client.get("/mss/register")).text)


@pytest.mark.parametrize(
    "changes",
    [
        {"uid": "000314158"},  # unknown UID
        {"first_names": "Chloé"},
        {"last_name": "Durand"},
        {"birth_day": "6"},
        {"email": "claire@example.net", "email_confirm": "claire@example.net"},
    ],
)
async def test_every_mismatch_gives_the_same_answer(client, db, changes):
    await make_member()
    baseline = await Visitor(client).verify({**FIELDS, "uid": "999999999"})
    client.cookies.clear()
    response = await Visitor(client).verify({**FIELDS, **changes})
    assert response.status_code == baseline.status_code == 422
    assert MISMATCH in text_of(response.text)
    assert security_and_summary(response.text) == security_and_summary(baseline.text)


async def test_mismatch_with_htmx_swaps_the_form_with_the_summary(client, db):
    visitor = Visitor(client)
    response = await visitor.verify({**FIELDS, "uid": "999999999"}, partial=True)
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#register"
    assert response.text.lstrip().startswith(
        '<title>Error: Registration form – Member Self-Service</title><div class="error-summary"'
    )
    assert 'href="#security-field"' in response.text and "<html" not in response.text


async def test_three_mismatches_lock_for_thirty_minutes(client, db):
    await make_member()
    visitor = Visitor(client)
    for _ in range(2):
        assert (await visitor.verify({**FIELDS, "last_name": "Durand"})).status_code == 422
    locked = await visitor.verify({**FIELDS, "last_name": "Durand"})
    assert locked.status_code == 429
    text = text_of(locked.text)
    assert "Try again in 30 minutes" in text and "support-mss@espace.example.org" in text
    # The right details are refused too, for that member and from that client.
    assert (await visitor.verify()).status_code == 429
    assert await AuditEvent.filter(event="verification_locked").exists()


async def test_lock_holds_for_the_member_from_another_address(client, db, app):
    await make_member()
    visitor = Visitor(client)
    for _ in range(3):
        await visitor.verify({**FIELDS, "birth_year": "1978"})
    transport = httpx.ASGITransport(app=app, client=("192.0.2.55", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        other.headers["Accept-Language"] = "en"
        response = await Visitor(other).verify()
    assert response.status_code == 429


async def test_lock_holds_for_the_client_whatever_the_uid(client, db):
    await make_member()
    await make_member(identifier="000000777", email="other@example.org")
    visitor = Visitor(client)
    for uid in ("111111111", "222222222", "333333333"):
        await visitor.verify({**FIELDS, "uid": uid})
    assert (await visitor.verify()).status_code == 429


async def test_wrong_answers_count_and_lock(client, db):
    await make_member()
    visitor = Visitor(client)
    await visitor.verify()
    wrong = await visitor.answer("Borealis Climate Office", partial=True)
    assert wrong.status_code == 422
    text = text_of(wrong.text)
    assert "This answer does not match our records." in text
    assert "Attempts left before a 30-minute pause: 2." in text
    assert 'aria-invalid="true"' in wrong.text
    assert (await visitor.answer("Helix Labour Office")).status_code == 422
    locked = await visitor.answer("Kestrel Food Programme", partial=True)
    assert locked.status_code == 429
    assert "Try again in 30 minutes" in text_of(locked.text)
    assert "support-mss@espace.example.org" in locked.text
    # Locked even with the right answer, and the verification starts over afterwards.
    assert (await visitor.verify()).status_code == 429


async def test_wrong_answer_without_js_is_a_full_page_with_the_summary(client, db):
    await make_member()
    visitor = Visitor(client)
    await visitor.verify()
    response = await visitor.answer("")
    assert response.status_code == 422 and response.text.startswith("<!doctype html>")
    assert 'href="#answer"' in response.text and "Enter your answer." in response.text


@pytest.mark.parametrize(
    "answer", ["<script>alert(1)</script>", "x" * 10_000, "' OR 1=1 --", "李", "\u0000"]
)
async def test_hostile_answers_are_just_wrong(client, db, answer):
    await make_member()
    visitor = Visitor(client)
    await visitor.verify()
    response = await visitor.answer(answer, partial=True)
    assert response.status_code == 422 and "<script>alert" not in response.text


async def test_enter_in_the_answer_field_submits_the_answer(client, db):
    await make_member()
    visitor = Visitor(client)
    await visitor.verify()
    response = await visitor.post("/mss/register", {**FIELDS, "answer": ANSWERS["employer"]})
    assert response.status_code == 303
    assert "[2 / 2]" in text_of((await client.get("/mss/register")).text)


async def test_changing_a_field_after_verifying_asks_to_verify_again(client, db):
    await make_member()
    visitor = Visitor(client)
    await visitor.ready()
    changed = {**FIELDS, "first_names": "Claire Anne"}
    response = await visitor.register(changed)
    assert response.status_code == 422
    assert "Verify your identity: select Verify" in text_of(response.text)


async def test_member_with_an_account_gets_the_questions_like_anyone(client, db):
    """Whether the member has an account is never said on the page (the mail says it)."""
    member = await make_member()
    await accounts.create_account(
        member,
        portal="mss",
        login=member.email,
        email=member.email,
        language="fr",
        policy_version="2026-01",
    )
    visitor = Visitor(client)
    full = await visitor.verify(partial=True)
    assert full.status_code == 200 and "Question 1 of 2." in full.text
    assert "already" not in full.text.lower()


async def test_member_without_facts_is_sent_to_support(client, db):
    await make_member(facts={"employer": "Institut Atlas des sols"})
    response = await Visitor(client).verify(partial=True)
    assert "We cannot verify your identity online" in text_of(response.text)


async def test_member_without_email_on_record_gets_the_generic_message(client, db):
    await make_member(email="")
    response = await Visitor(client).verify()
    assert response.status_code == 422 and MISMATCH in text_of(response.text)


async def test_answer_without_verifying_first_shows_the_security_block(client, db):
    await make_member()
    response = await Visitor(client).answer("anything", partial=True)
    assert response.status_code == 200 and 'id="verify"' in response.text


async def test_html_dates_of_birth_match_registry(client, db):
    await make_member(
        identifier="000000042",
        first_names="Jean-Baptiste Marie",
        last_name="de La Tour d'Auvergne",
        birth_date=date(1948, 2, 29),
        email="jb.delatour@example.org",
    )
    fields = {
        **FIELDS,
        "uid": "000000042",
        "first_names": "jean baptiste marie",
        "last_name": "DE LA TOUR D’AUVERGNE",
        "birth_day": "29",
        "birth_month": "2",
        "birth_year": "1948",
        "email": "JB.Delatour@example.org",
        "email_confirm": "jb.delatour@example.org",
    }
    assert (await Visitor(client).verify(fields)).status_code == 303


@pytest.mark.parametrize(("first", "last"), [("يوسف", "الحداد"), ("芳", "王")])
async def test_non_latin_names(client, db, first, last):
    await make_member(first_names=first, last_name=last)
    response = await Visitor(client).verify({**FIELDS, "first_names": first, "last_name": last})
    assert response.status_code == 303


async def test_verify_fragment_headers(client, db):
    await make_member()
    response = await Visitor(client).verify(partial=True)
    assert response.headers["vary"].startswith("HX-Request, HX-Request-Type")
    assert response.headers["cache-control"] == "no-store"
    assert HX["HX-Request-Type"] == "partial"


async def test_email_typed_again_shows_the_verification_under_way(client, db):
    """Once the security questions are shown, the email fragment reflects the draft's
    verification: the same identity keeps its question, another email (or name) means Verify
    again."""
    await make_member()
    visitor = Visitor(client)
    await visitor.verify(partial=True)
    fields = {**FIELDS, "security_shown": "1"}
    same = await visitor.post("/mss/register/security", fields, partial=True)
    assert "[1 / 2]" in text_of(same.text) and 'id="verify"' not in same.text
    for changed in ({"email": "claire.d@example.org"}, {"first_names": "Claire Anne"}):
        other = await visitor.post("/mss/register/security", {**fields, **changed}, partial=True)
        assert 'id="verify"' in other.text and "[1 / 2]" not in text_of(other.text)


def answer_value(page: str) -> str | None:
    field = re.search(r'<input [^>]*id="answer"[^>]*>', page).group(0)
    value = re.search(r'value="([^"]*)"', field)
    return value and value.group(1)


async def test_a_partly_typed_answer_survives_a_language_switch_and_a_reload(client, db):
    await make_member()
    visitor = Visitor(client)
    await visitor.verify()
    switched = await visitor.post(
        "/mss/register", {**FIELDS, "answer": "Institut At", "switch_lang": "fr"}
    )
    assert switched.status_code == 303
    page = (await client.get("/mss/register")).text
    assert "organisme employeur" in page and answer_value(page) == "Institut At"
    saved = await visitor.post(
        "/mss/register/save", {**FIELDS, "answer": "Institut Atl"}, partial=True
    )
    assert saved.status_code == 204
    assert answer_value((await client.get("/mss/register")).text) == "Institut Atl"
    shown = await visitor.post("/mss/register/security", {**FIELDS, "security_shown": "1"},
                               partial=True)
    assert answer_value(shown.text) == "Institut Atl"  # the security block fetched again too


async def test_an_answer_once_checked_is_not_shown_again(client, db):
    await make_member()
    visitor = Visitor(client)
    await visitor.verify()
    wrong = await visitor.answer("Borealis <Climate> Office")
    assert wrong.status_code == 422 and answer_value(wrong.text) is None
    assert answer_value((await client.get("/mss/register")).text) is None
    await visitor.post("/mss/register/save", {**FIELDS, "answer": ANSWERS["employer"]})
    assert (await visitor.answer(ANSWERS["employer"])).status_code == 303
    page = (await client.get("/mss/register")).text
    assert "[2 / 2]" in text_of(page) and answer_value(page) is None


async def test_a_typed_answer_is_escaped_and_bounded(client, db):
    await make_member()
    visitor = Visitor(client)
    await visitor.verify()
    await visitor.post("/mss/register/save", {**FIELDS, "answer": '"><script>x</script>' * 20})
    page = (await client.get("/mss/register")).text
    assert "<script>x" not in page
    assert len(html.unescape(answer_value(page))) == 100


async def test_suggestions_are_chosen_once_a_question(client, db, monkeypatch):
    """They read the registry: chosen when the question comes, then only shown again."""
    await make_member()
    chosen = []
    original = registration_page.service.suggestion_values

    async def counting(member, fact, secret_key):
        chosen.append(fact)
        return await original(member, fact, secret_key)

    monkeypatch.setattr(registration_page.service, "suggestion_values", counting)
    visitor = Visitor(client)
    first = await visitor.verify(partial=True)
    for _ in range(2):
        fields = {**FIELDS, "security_shown": "1"}
        await visitor.post("/mss/register/security", fields, partial=True)
        await client.get("/mss/register")
    again = await client.get("/mss/register")
    assert re.findall(r"<option[^>]*>", first.text) == re.findall(r"<option[^>]*>", again.text)
    assert chosen == ["employer"]
    await visitor.answer(ANSWERS["employer"], partial=True)
    assert chosen == ["employer", "duty_country"]


async def test_the_email_corrected_while_a_question_is_shown_keeps_the_question(client, db):
    """htmx asks for the security block again at each pause in typing, with the answer field on
    the page: a letter deleted from the email (another identity) asks for Verify again, the
    letter typed back shows the question with the answer as typed."""
    await make_member()
    visitor = Visitor(client)
    await visitor.verify(partial=True)
    fields = {**FIELDS, "security_shown": "1", "answer": "Institut"}
    edited = await visitor.post(
        "/mss/register/security", {**fields, "email": EMAIL.replace("@", "x@")}, partial=True
    )
    assert edited.status_code == 200 and 'id="verify"' in edited.text
    back = await visitor.post("/mss/register/security", fields, partial=True)
    assert back.status_code == 200 and "[1 / 2]" in text_of(back.text)
    assert answer_value(back.text) == "Institut"


@pytest.mark.parametrize("partial", [False, True])
async def test_an_answer_after_a_verification_with_an_outcome_shows_the_outcome(
    client, db, partial
):
    """A member sent to support has no question to answer: an answer posted anyway (a stale
    page, a script) shows the outcome again, through Submit and through S'inscrire."""
    await make_member(facts={"employer": "Institut Atlas des sols"})
    visitor = Visitor(client)
    await visitor.verify()
    answered = await visitor.answer("Institut Atlas des sols", partial=partial)
    assert answered.status_code in (200, 303)
    page = answered.text if partial else (await client.get("/mss/register")).text
    assert "We cannot verify your identity online" in text_of(page)
    registered = await visitor.post("/mss/register", {**FIELDS, "answer": "x"}, partial=partial)
    assert registered.status_code == 422
    assert "We cannot verify your identity online" in text_of(registered.text)


async def test_a_verification_reads_and_saves_the_draft_once_and_the_member_once(client, db):
    await make_member()
    visitor = Visitor(client)
    await visitor.open()
    with counting() as counted:
        first = await visitor.verify(partial=True)
    assert first.status_code == 200 and "[1 / 2]" in first.text
    statements = [sql.split(" WHERE")[0] for sql in counted.sql]
    assert sum("FROM registration_draft" in sql for sql in statements) == 1
    assert sum(sql.startswith("UPDATE registration_draft") for sql in statements) == 1
    assert sum('FROM "member"' in sql and '"facts" "0"' not in sql for sql in statements) == 1
    print(f"\nmss verify: {counted.statements} statements, {counted.transactions} transactions")
