"""Guide steps 1–4 over HTTP: home, the form, the security questions, language switch, drafts."""

import json
import re
from dataclasses import replace

import httpx
import pytest
from mss_support import EMAIL, FIELDS, HX, Visitor, make_member, text_of
from sql_counter import counting

from web.app import create_app
from web.portals import drafts, journey
from web.portals.mss.steps import security


@pytest.fixture(autouse=True)
def english_and_no_minimum_time(monkeypatch, client):
    monkeypatch.setattr(journey, "MIN_FILL_SECONDS", 0)
    client.headers["Accept-Language"] = "en"


async def test_home_has_log_in_and_a_red_register_at_the_bottom(client):
    page = (await client.get("/mss/", headers={"Accept-Language": "fr"})).text
    assert 'action="/mss/login"' in page and 'autocomplete="current-password"' in page
    register = page.index('<a class="button button--register" href="/mss/register"')
    assert register > page.index("</form>")
    assert "S'inscrire" in page[register : register + 200]


async def test_form_has_every_field_hint_link_and_support(client):
    response = await client.get("/mss/register", headers={"Accept-Language": "fr"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    page = response.text
    text = text_of(page)
    assert "<title>Formulaire d'inscription – Espace Client</title>" in page.replace("&#39;", "'")
    for words in (
        "Formulaire d'inscription à l'Espace Client",
        "Numéro d'identification unique (UID)",
        "Prénom",
        "Nom",
        "Date de naissance",
        "Jour",
        "Mois",
        "Année",
        "Adresse e-mail",
        "Confirmer l'adresse e-mail",
        "9 chiffres",
        "Il figure sur chaque courrier de la Caisse",
        "doivent correspondre aux données enregistrées par la Caisse",
        "support-mss@espace.example.org",
        "Lire et accepter",
        "S'inscrire",
    ):
        assert words in text, words
    for token in ("given-name", "family-name", "bday-day", "bday-month", "bday-year", "email"):
        assert f'autocomplete="{token}"' in page
    assert page.count('aria-required="true"') >= 8
    help_page = await client.get("/mss/register/uid")
    assert help_page.status_code == 200 and "000123456" in help_page.text
    # Without JS the security questions are part of the page (noscript), with its Verify button.
    assert re.search(r"<noscript>.*id=\"verify\".*</noscript>", page, re.S)
    assert 'data-hx-trigger="input changed delay:300ms, change"' in page
    assert 'data-hx-target="#security"' in page


async def test_uid_help_lists_the_documents_the_fund_configures(db, settings, tmp_path):
    """Which letters carry the UID is the fund's own fact: its branding lists them."""
    documents = [{"fr": "le relevé annuel ;", "en": "the yearly statement;"}, "the pension slip."]
    branding = tmp_path / "branding.json"
    branding.write_text(json.dumps({"mss": {"identifier_documents": documents}}))
    app = create_app(replace(settings, branding_file=str(branding)), init_db=False)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as custom:
        for lang, first in (("fr", "le relevé annuel ;"), ("en", "the yearly statement;")):
            page = (await custom.get("/mss/register/uid", params={"lang": lang})).text
            assert f"<ul><li>{first}</li><li>the pension slip.</li></ul>" in page
            assert "COLA" not in page


async def test_uid_help_keeps_what_was_typed(client):
    """The help is a button of the form (styled as a link): what was typed is saved first,
    with JavaScript or without."""
    visitor = Visitor(client)
    page = (await visitor.open()).text
    button = re.search(r'<button [^>]*formaction="/mss/register/uid"[^>]*>([^<]*)</button>', page)
    assert (
        button and "button--link" in button.group(0) and button.group(1) == "Where to find your UID"
    )
    assert 'href="/mss/register/uid"' not in page  # a link would leave without saving
    response = await visitor.post("/mss/register/uid", FIELDS)
    assert response.status_code == 303 and response.headers["location"] == "/mss/register/uid"
    assert "Where to find your UID" in text_of((await client.get("/mss/register/uid")).text)
    back = (await client.get("/mss/register")).text
    for name in ("uid", "first_names", "last_name", "email", "email_confirm"):
        assert f'value="{FIELDS[name]}"' in back


async def test_form_in_english(client):
    page = (await client.get("/mss/register", headers={"Accept-Language": "en"})).text
    text = text_of(page)
    assert "Registration form for the Member Self-Service" in text
    assert "Unique identification number (UID)" in text and "Security questions" in text


async def post_security(visitor: Visitor, email: str, **fields):
    """What htmx asks as the email is typed: the form, POSTed (the email never in a URL)."""
    return await visitor.post("/mss/register/security", {"email": email, **fields}, partial=True)


async def test_security_appears_for_a_valid_email_only(client):
    visitor = Visitor(client)
    page = (await visitor.open()).text
    email_input = re.search(r'<input [^>]*id="email"[^>]*>', page).group(0)
    assert 'data-hx-post="/mss/register/security"' in email_input
    assert "data-hx-get" not in email_input
    empty = await post_security(visitor, "claire@")
    assert empty.status_code == 200
    assert empty.text == "<title>Registration form – Member Self-Service</title>"
    shown = await post_security(visitor, EMAIL)
    assert shown.status_code == 200
    assert "<html" not in shown.text and 'id="verify"' in shown.text
    assert "autofocus" not in shown.text  # focus stays in the email field
    assert '<hx-partial hx-target="#status"' in shown.text  # announced
    again = await post_security(visitor, EMAIL, security_shown="1")
    assert 'id="verify"' in again.text and "hx-partial" not in again.text  # said once


async def test_security_without_js_is_the_form(client):
    visitor = Visitor(client)
    response = await visitor.post("/mss/register/security", {"email": EMAIL})
    assert response.status_code == 303 and response.headers["location"] == "/mss/register"
    full = await visitor.post(
        "/mss/register/security",
        {"email": EMAIL},
        headers={"HX-Request": "true", "HX-Request-Type": "full"},
    )
    assert full.status_code == 303


async def test_security_saves_nothing(client):
    """The form's own ``change`` saves: the security block, asked at every pause, only reads."""
    visitor = Visitor(client)
    await post_security(visitor, EMAIL, first_names="Chloé", security_shown="1")
    assert EMAIL not in (await client.get("/mss/register")).text


async def test_security_reads_no_draft_until_it_has_appeared(client, monkeypatch):
    """It is asked for at every pause in typing: the fast path stays free of database reads."""
    visitor = Visitor(client)
    await visitor.open()

    async def no_draft(*args):
        raise AssertionError("the draft was read")

    monkeypatch.setattr(security, "find_draft", no_draft)
    for email in ("claire@", EMAIL):
        assert (await post_security(visitor, email, first_names="Claire")).status_code == 200


async def test_security_only_reads_the_draft_even_an_expired_one(client, monkeypatch):
    """Shown, it asks one statement whether a verification is under way, and writes nothing:
    an expired draft is left to the next full read (or the purge)."""
    visitor = Visitor(client)
    await visitor.open()  # the draft starts
    later = drafts.now() + 2 * drafts.DRAFT_IDLE_LIFETIME
    monkeypatch.setattr(drafts, "now", lambda: later)
    with counting() as panel:
        response = await post_security(visitor, EMAIL, security_shown="1")
    assert 'id="verify"' in response.text
    assert [sql.split()[0] for sql in panel.sql] == ["SELECT"]


async def test_security_needs_the_csrf_token(client):
    await client.get("/mss/register")
    response = await client.post("/mss/register/security", data={"email": EMAIL}, headers=HX)
    assert response.status_code == 403


async def test_the_email_in_a_url_is_not_a_security_request(client):
    response = await client.get("/mss/register", params={"email": EMAIL}, headers=HX)
    assert response.text.startswith("<!doctype html>") and EMAIL not in response.text


async def test_security_fragment_is_small(client):
    shown = await post_security(Visitor(client), EMAIL)
    assert len(shown.content) < 3000


@pytest.mark.parametrize(
    "email",
    ["<script>alert(1)</script>@x", "x" * 10_000, "' OR 1=1 --", "\u0000", "محمد@مثال.اختبار"],
)
async def test_security_with_hostile_email_never_fails(client, email):
    response = await post_security(Visitor(client), email, security_shown="1")
    assert response.status_code == 200 and "<script>" not in response.text


async def test_language_switch_keeps_what_was_typed(client):
    visitor = Visitor(client)
    await visitor.open(headers={"Accept-Language": "fr"})
    switched = await visitor.post("/mss/register", {**FIELDS, "switch_lang": "en"})
    assert switched.status_code == 303 and switched.headers["location"] == "/mss/register"
    assert "lang=en" in switched.headers["set-cookie"]
    page = (await client.get("/mss/register")).text
    assert "Registration form" in page
    for name in ("uid", "first_names", "last_name", "email", "email_confirm"):
        assert f'value="{FIELDS[name]}"' in page
    assert 'value="1977"' in page


async def test_language_switch_on_every_post_of_the_form(client):
    visitor = Visitor(client)
    for url in ("/mss/register/verify", "/mss/register/answer", "/mss/register/policy"):
        response = await visitor.post(url, {**FIELDS, "switch_lang": "en"})
        assert response.status_code == 303 and response.headers["location"] == "/mss/register"


async def test_draft_survives_reload_and_a_new_tab(client):
    visitor = Visitor(client)
    await visitor.post("/mss/register", {**FIELDS, "uid": ""})  # errors, but saved
    page = (await client.get("/mss/register")).text
    assert f'value="{EMAIL}"' in page and 'value="claire"' in page


async def test_a_save_that_changes_nothing_writes_nothing(client, monkeypatch):
    visitor = Visitor(client)
    await visitor.open()
    await visitor.post("/mss/register/save", {"first_names": "Chloé"}, partial=True)
    with counting() as again:
        await visitor.post("/mss/register/save", {"first_names": "Chloé"}, partial=True)
    assert [sql.split()[0] for sql in again.sql] == ["SELECT"]
    with counting() as changed:
        await visitor.post("/mss/register/save", {"first_names": "Chloe"}, partial=True)
    assert [sql.split()[0] for sql in changed.sql] == ["SELECT", "UPDATE"]
    later = drafts.now() + drafts.DRAFT_REWRITE_AFTER
    monkeypatch.setattr(drafts, "now", lambda: later)
    with counting() as idle:  # the idle lifetime is renewed after a while, changed or not
        await visitor.post("/mss/register/save", {"first_names": "Chloe"}, partial=True)
    assert [sql.split()[0] for sql in idle.sql] == ["SELECT", "UPDATE"]
    assert 'value="Chloe"' in (await client.get("/mss/register")).text


async def test_each_change_is_saved_with_htmx(client):
    visitor = Visitor(client)
    page = (await visitor.open()).text
    assert ('data-hx-post="/mss/register/save" data-hx-trigger="espace:save" '
            'data-save-delay="300"') in page
    saved = await visitor.post("/mss/register/save", {"first_names": "Chloé"}, partial=True)
    assert saved.status_code == 204 and saved.content == b""
    assert 'value="Chloé"' in (await client.get("/mss/register")).text


async def test_drafts_are_per_visitor(client, app):
    visitor = Visitor(client)
    await visitor.post("/mss/register", FIELDS)
    client.cookies.clear()
    page = (await client.get("/mss/register")).text
    assert EMAIL not in page


async def test_verify_with_empty_form_lists_every_field(client):
    visitor = Visitor(client)
    response = await visitor.verify({"uid": ""}, partial=True)
    assert response.status_code == 422
    assert "<html" not in response.text and 'class="error-summary"' in response.text
    for field in ("uid", "first_names", "last_name", "birth_day", "email", "email_confirm"):
        assert f'href="#{field}"' in response.text
        assert f'id="{field}-error"' in response.text or field == "birth_day"
    assert 'id="birth-error"' in response.text


async def test_verify_errors_without_js_are_a_full_page_with_the_values(client):
    visitor = Visitor(client)
    fields = {**FIELDS, "email_confirm": "other@example.org", "birth_day": "31", "birth_month": "2"}
    response = await visitor.verify(fields)
    assert response.status_code == 422
    page = response.text
    assert page.startswith("<!doctype html>") and "<title>Error:" in page
    assert "The two email addresses do not match." in page
    assert "Date of birth must be a real date." in page
    assert 'value="other@example.org"' in page and 'value="31"' in page


@pytest.mark.parametrize(
    "value", ["<script>alert('x')</script>", "' OR 1=1 --", "x" * 10_000, "a\u0000b", "李", "محمد"]
)
async def test_hostile_or_huge_values_are_refused_or_kept_safely(client, value):
    visitor = Visitor(client)
    fields = {name: value for name in FIELDS}
    response = await visitor.verify(fields)
    assert response.status_code in (413, 422)
    if response.status_code == 422:
        assert "<script>alert" not in response.text
        assert (
            "Enter your UID." in response.text
            or "9 digits" in response.text
            or ("at most" in response.text)
        )


async def test_body_over_64_kib_is_refused(client):
    visitor = Visitor(client)
    response = await visitor.verify({**FIELDS, "uid": "1" * 70_000})
    assert response.status_code == 413


async def test_post_without_csrf_token_is_refused(client):
    await client.get("/mss/register")
    response = await client.post("/mss/register/verify", data=FIELDS)
    assert response.status_code == 403


async def test_full_page_after_verify_shows_the_question(client, db):
    await make_member()
    visitor = Visitor(client)
    response = await visitor.verify()
    assert response.status_code == 303 and response.headers["location"] == "/mss/register#answer"
    page = (await client.get("/mss/register")).text
    assert "[1 / 2]" in text_of(page) and 'list="answer-list"' in page


async def test_the_uid_hint_is_short_and_its_help_comes_after_the_field(client):
    """Label, hint, field: nothing to tab through between the label and the field, and a hint
    a screen reader reads in one breath with the field."""
    page = (await client.get("/mss/register?lang=en")).text

    between = page.split('for="uid">', 1)[1].split('<input class="input', 1)[0]
    assert "<button" not in between and "<a " not in between
    hint = re.search(r'<div class="hint" id="uid-hint">(.*?)</div>', page, re.S)
    assert hint and len(text_of(hint[1])) <= 100, hint and text_of(hint[1])
    assert "9 digits" in text_of(hint[1])
    after = page.split('id="uid"', 1)[1].split('for="first_names"', 1)[0]
    assert 'id="uid-help"' in after and "Where to find your UID" in after

