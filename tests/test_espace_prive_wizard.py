"""The espace-prive wizard over HTTP: steps, titles, Précédent, Abandonner, language switch,
htmx fragments, and every field's bad input (SPEC §3, §4; guide steps 1-4)."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import datetime, timedelta

import httpx
import pytest
from espace_prive_support import (
    BASE,
    CONTACT,
    NIR,
    PORTAL,
    draft,
    hidden_fields,
    location,
    make_member,
    nir_key,
    submit,
    through_contact,
)
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape
from sql_counter import counting

from web.forms import FormData
from web.portals import journey
from web.portals.espace_prive import checks, wizard
from web.portals.espace_prive.forms import OTHER, PROFILES, IdentifierForm, ProfileForm
from web.portals.models import RegistrationDraft
from web.registry.validation import PROFILE_CODES

HX = {"HX-Request": "true", "HX-Request-Type": "partial"}
HOSTILE = ["<script>alert(1)</script>", "' OR 1=1 --", "a\x00b\x07c", "محمد", "王芳", "x" * 10_000]


@pytest.fixture(autouse=True)
def no_fill_delay(monkeypatch):
    monkeypatch.setattr(journey, "MIN_FILL_SECONDS", 0)


def text(response) -> str:
    """The page with its character references resolved (apostrophes come both ways)."""
    return html.unescape(response.text)


def title(page: str) -> str:
    return re.search(r"<title>(.*?)</title>", page, re.S).group(1)


async def test_home_has_register_at_the_top_right(client):
    page = (await client.get("/espace-prive/")).text
    header = page.split("</header>")[0]
    assert 'id="register-link"' in header and 'href="/espace-prive/register"' in header
    assert "S'inscrire" in html.unescape(header)
    assert header.index("register-link") < header.index("lang-switch")
    assert 'action="/espace-prive/login"' in page  # and a log-in form


async def test_register_starts_at_you_are(client):
    assert location(await client.get(BASE)) == BASE + "/profile"
    page = (await client.get(BASE + "/profile")).text
    assert title(page) == "Étape 1 sur 6 – Créer mon espace privé – Mon espace privé"
    assert "Étape 1 sur 6" in page and "Vous êtes…" in page
    for profile in (
        "Exploitant agricole",
        "Entreprise",
        "Particulier",
        "Employeur de jardinier en tant que particulier",
        "Cotisant de solidarité",
        "Autre…",
    ):
        assert profile in page
    hint = "salarié, retraité, collaborateur, ayant-droit, demandeur d'emploi, sans emploi…"
    assert hint in html.unescape(page)
    assert ">Suivant<" in page and ">Abandonner<" in page
    assert ">Précédent<" not in page  # nothing before the first step


async def test_steps_titles_and_headings_in_english(client):
    await make_member()
    english = {"Accept-Language": "en"}
    await through_contact(client)
    for path, expected in [
        ("/profile", "Step 1 of 6 – Create my private space"),
        ("/identifier", "Step 2 of 6 – Your identifier"),
        ("/contact", "Step 3 of 6 – Your contact details"),
        ("/verification", "Step 4 of 6 – Verification of your identity"),
    ]:
        page = (await client.get(BASE + path, headers=english)).text
        assert title(page) == f"{expected} – My private space"
        assert '<html lang="en">' in page


async def test_the_step_is_the_caption_of_the_focused_heading(client):
    """GOV.UK's caption: the h1 that takes the focus after a swap says the step too."""
    await make_member()
    await through_contact(client)
    for path, number, heading in [("/profile", 1, "Create my private space"),
                                  ("/identifier", 2, "Your identifier"),
                                  ("/verification", 4, "Verification of your identity")]:
        page = (await client.get(BASE + path, headers={"Accept-Language": "en"})).text
        h1 = re.search(r'<h1 id="heading"[^>]*data-focus-on-swap>(.*?)</h1>', page, re.S)
        assert h1, path
        spoken = " ".join(re.sub(r"<[^>]+>", "", h1[1]).split())
        assert spoken == f"Step {number} of 6 – {heading}"
        assert page.count(f"Step {number} of 6<") == 1  # not also above the heading
        partial = (await client.get(BASE + path, headers={"Accept-Language": "en", **HX})).text
        assert f'<span class="stepper__text">Step {number} of 6' in partial


async def test_other_profile_says_whom_to_contact(client):
    response = await submit(client, "/profile", {"profile": "autre"})
    assert location(response) == BASE + "/contact-us"
    page = (await client.get(BASE + "/contact-us")).text
    assert "support-prive@espace.example.org" in page and "Qui contacter" in page
    # "Autre" is not a way forward in the wizard
    assert location(await client.get(BASE + "/identifier")) == BASE + "/profile"


async def test_no_profile_chosen(client):
    response = await submit(client, "/profile", {})
    assert response.status_code == 422
    assert title(response.text).startswith("Erreur : Étape 1 sur 6")
    assert 'href="#profile-0"' in response.text
    assert "Choisissez ce qui vous correspond." in text(response)


@given(st.lists(st.one_of(st.sampled_from([*PROFILES, "", " particulier"]), st.text()),
                max_size=3))
def test_the_profile_chosen_is_what_the_profile_form_validates(values):
    data = FormData([("profile", value) for value in values])
    form = ProfileForm(data)
    assert ProfileForm.chosen(data) == (form.profile.data if form.validate() else None)


@pytest.mark.parametrize("value", [*HOSTILE, "robot", ""])
async def test_hostile_profile(client, value):
    response = await submit(client, "/profile", {"profile": value})
    assert response.status_code == 422


async def test_steps_cannot_be_skipped(client):
    for path in (
        "/identifier",
        "/contact",
        "/verification",
        "/verification/card",
        "/password",
        "/terms",
    ):
        assert location(await client.get(BASE + path)) == BASE + "/profile"
    await submit(client, "/profile", {"profile": "particulier"})
    assert location(await client.get(BASE + "/password")) == BASE + "/identifier"


async def test_identifier_accepts_spaces_key_and_corsica(client):
    await submit(client, "/profile", {"profile": "particulier"})
    for typed, stored in [
        ("2 85 03 97 411 023", NIR),
        (NIR + nir_key(NIR), NIR),
        ("1 62 08 2a 004 017", "162082A004017"),
    ]:
        response = await submit(client, "/identifier", {"identifier": typed})
        assert location(response) == BASE + "/contact"
        saved = await draft(client)
        assert wizard.identifier_of(saved) == stored
        assert saved.fields["identifier"] == checks.format_nir(stored)  # shown as printed


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Saisissez votre numéro de Sécurité"),
        ("1851378006084", "mois de naissance : 13 n'est pas possible. Ils vont de 01 à 12"),
        ("185057800608", "(vous en avez saisi 12)"),
        (NIR + "00", "la clé"),
        ("5850578006084", "est 1, 2, 3, 4, 7 ou 8, et non 5."),
        *[(value, "") for value in HOSTILE],
    ],
)
async def test_identifier_errors(client, typed, message):
    await submit(client, "/profile", {"profile": "particulier"})
    response = await submit(client, "/identifier", {"identifier": typed})
    assert response.status_code == 422
    assert message in text(response)
    assert 'aria-invalid="true"' in text(response) and 'href="#identifier"' in text(response)
    assert title(response.text).startswith("Erreur : Étape 2 sur 6 – Votre identifiant")
    if typed and "\x00" not in typed:
        assert 'value="' + str(escape(typed))[:30] in response.text
    assert "<script>alert" not in response.text


async def test_identifier_help_page(client):
    await submit(client, "/profile", {"profile": "particulier"})
    page = (await client.get(BASE + "/identifier")).text
    assert f'href="{BASE}/identifier/help"' in page
    assert "Je ne connais pas mon numéro de Sécurité Sociale" in page
    help_page = (await client.get(BASE + "/identifier/help")).text
    assert "carte Vitale" in help_page and f'href="{BASE}/identifier"' in help_page


def swapped_main(partial: str) -> str:
    """The content an htmx swap puts in #main: the fragment without its title and live region."""
    return re.sub(r"^<title>.*?</title>|<hx-partial.*$", "", partial, flags=re.S).strip()


def reloaded_main(page: str) -> str:
    return re.search(r'<main id="main" tabindex="-1">(.*)</main>', page, re.S)[1].strip()


@pytest.mark.parametrize(("profile", "path"), [("autre", "/contact-us"),
                                               ("particulier", "/identifier/help")])
async def test_a_message_page_swapped_in_is_the_page_reloaded(client, profile, path):
    await submit(client, "/profile", {"profile": profile})
    page = (await client.get(BASE + path)).text
    partial = (await client.get(BASE + path, headers=HX)).text
    assert partial.startswith("<title>") and "<header" not in partial
    assert swapped_main(partial) == reloaded_main(page) and "<h1" in swapped_main(partial)


async def test_company_gives_a_siret(client):
    await submit(client, "/profile", {"profile": "entreprise"})
    page = (await client.get(BASE + "/identifier")).text
    assert "Numéro SIRET" in page and "Je ne connais pas" not in page
    response = await submit(client, "/identifier", {"identifier": "732 829 320 00075"})
    assert response.status_code == 422 and "Ce numéro SIRET n'est pas valide" in text(response)
    response = await submit(client, "/identifier", {"identifier": NIR})
    assert response.status_code == 422 and "14 chiffres" in text(response)
    assert location(await submit(client, "/identifier", {"identifier": "732 829 320 00074"}))
    contact = (await client.get(BASE + "/contact")).text
    assert "Raison sociale" in contact
    assert "Date de création de l'entreprise" in html.unescape(contact)
    assert 'name="first_names"' not in contact


WAIT = "Le formulaire a été envoyé trop vite après son affichage. Patientez un instant"


async def test_honeypot_and_too_fast_submission(client, monkeypatch):
    await submit(client, "/profile", {"profile": "particulier"})
    response = await submit(client, "/identifier", {"identifier": NIR, "website": "spam.example"})
    assert response.status_code == 422 and "Vérifiez votre saisie" in text(response)
    monkeypatch.setattr(journey, "MIN_FILL_SECONDS", 30)
    response = await submit(client, "/identifier", {"identifier": NIR})
    assert response.status_code == 422
    assert WAIT + ", puis sélectionnez à nouveau « Suivant »." in text(response)
    assert (await draft(client)).fields["identifier"] == NIR  # what was typed is kept


async def test_the_robot_delay_of_a_test_server_is_its_settings(app, client):
    await submit(client, "/profile", {"profile": "particulier"})
    app.state.settings = replace(app.state.settings, min_fill_seconds=30)
    response = await submit(client, "/identifier", {"identifier": NIR})
    assert response.status_code == 422 and WAIT in text(response)
    app.state.settings = replace(app.state.settings, min_fill_seconds=0)
    assert (await submit(client, "/identifier", {"identifier": NIR})).status_code == 303


async def test_too_fast_does_not_restart_the_wait(client, monkeypatch):
    """Refused for being quick, a person is not made to wait again from the refusal: the
    wait counts from the start of the registration."""
    await submit(client, "/profile", {"profile": "particulier"})
    monkeypatch.setattr(journey, "MIN_FILL_SECONDS", 30)
    first = await client.get(BASE + "/identifier")
    response = await client.post(
        BASE + "/identifier",
        data={**hidden_fields(first.text), "action": "next", "identifier": NIR},
    )
    assert response.status_code == 422
    stored = await RegistrationDraft.get(portal=PORTAL)
    started = datetime.fromisoformat(stored.data["started"])
    stored.data = {**stored.data, "started": (started - timedelta(seconds=31)).isoformat()}
    await stored.save()  # 31 seconds since the start: the refusal 1 second ago counts for none
    response = await client.post(
        BASE + "/identifier",
        data={**hidden_fields(response.text), "action": "next", "identifier": NIR},
    )
    assert location(response) == BASE + "/contact"


async def test_too_fast_in_english(client, monkeypatch):
    await submit(client, "/profile", {"profile": "particulier"})
    monkeypatch.setattr(journey, "MIN_FILL_SECONDS", 30)
    response = await submit(client, "/identifier", {"identifier": NIR},
                            headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert (
        "The form was sent too quickly after it appeared. Wait a moment, then select “Next” "
        "again." in text(response)
    )


async def test_contact_checks_date_against_nir(client):
    await submit(client, "/profile", {"profile": "particulier"})
    await submit(client, "/identifier", {"identifier": NIR})
    response = await submit(client, "/contact", {**CONTACT, "birth_year": "1986"})
    assert response.status_code == 422
    assert "Votre année de naissance (1986) ne correspond pas" in text(response)
    assert 'href="#birth_year"' in text(response)
    response = await submit(client, "/contact", {**CONTACT, "birth_month": "4"})
    assert "Votre mois de naissance (04) ne correspond pas" in text(response)
    assert 'href="#birth_month"' in text(response)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("last_name", "", "Saisissez votre nom"),
        ("first_names", "", "Saisissez votre prénom"),
        ("last_name", "Hoarau3", "lettres"),
        ("email", "celine@", "format"),
        ("email", "", "adresse e-mail"),
        ("mobile", "01 23 45 67 89", "n'est pas un numéro de mobile"),
        ("mobile", "+33 1 44 55 66 77", "n'est pas un numéro de mobile"),
        ("mobile", "06 12", "n'est pas valide"),
        ("birth_day", "", "doit comporter un jour"),
        ("birth_day", "31", "Date of birth must be a real date."),
        ("birth_year", "85", "4"),
        *[
            (field, value, "")
            for field in ("email", "mobile", "birth_day", "birth_month", "birth_year")
            for value in HOSTILE
        ],
        *[
            (field, value, "")
            for field in ("birth_day", "birth_month", "birth_year")
            for value in ("0", "-1", "1e3", "¹²", "99999999999999999999", "３" * 4)
        ],
        *[
            (field, value, "")
            for field in ("last_name", "first_names")
            for value in ("<script>alert(1)</script>", "' OR 1=1 --", "x" * 10_000)
        ],
    ],
)
async def test_contact_errors(client, field, value, message):
    await submit(client, "/profile", {"profile": "particulier"})
    await submit(client, "/identifier", {"identifier": NIR})
    data = {**CONTACT, field: value}
    if field == "birth_day" and value == "31":
        data["birth_month"] = "2"  # 31 February
        response = await submit(client, "/contact", data, headers={"Accept-Language": "en"})
    else:
        response = await submit(client, "/contact", data)
    assert response.status_code == 422, response.text[:300]
    assert message in text(response)
    assert "<script>alert" not in response.text


@pytest.mark.parametrize(
    ("last", "first"),
    [
        ("بن صالح", "ليلى"),
        ("陈", "美玲"),
        ("N’Diaye", "Aïssatou"),
        ("de La Tour d'Auvergne", "Jean-Baptiste Marie"),
        ("Lefèvre–Dupont", "Jean‑Pierre"),  # en dash, non-breaking hyphen (word processors)
        ("O‘Connor", "Seán"),
    ],
)
async def test_contact_accepts_names_in_any_script(client, last, first):
    await submit(client, "/profile", {"profile": "particulier"})
    await submit(client, "/identifier", {"identifier": NIR})
    response = await submit(
        client, "/contact", {**CONTACT, "last_name": last, "first_names": first}
    )
    assert location(response) == BASE + "/verification"
    assert (await draft(client)).fields["last_name"] == last


async def test_contact_stores_normalised_mobile_and_email(client):
    await submit(client, "/profile", {"profile": "particulier"})
    await submit(client, "/identifier", {"identifier": NIR})
    contact = {**CONTACT, "email": "Celine.Hoarau@Example.org", "mobile": "0692 65 43 21"}
    assert location(await submit(client, "/contact", contact)) == BASE + "/verification"
    saved = await draft(client)
    assert saved.fields["mobile"] == "+262692654321"
    assert saved.fields["email"] == "Celine.Hoarau@example.org"
    # the mobile is optional
    response = await submit(client, "/contact", {**CONTACT, "mobile": ""})
    assert location(response) == BASE + "/verification"


async def test_previous_keeps_values_without_validating(client):
    await submit(client, "/profile", {"profile": "particulier"})
    await submit(client, "/identifier", {"identifier": NIR})
    typed = {**CONTACT, "email": "not an email", "last_name": "Hoar"}
    response = await submit(client, "/contact", {**typed, "action": "back"})
    assert location(response) == BASE + "/identifier"
    page = (await client.get(BASE + "/identifier")).text
    assert 'value="2 85 03 97 411 023"' in page
    page = (await client.get(BASE + "/contact")).text
    assert 'value="not an email"' in page and 'value="Hoar"' in page
    assert "field--error" not in page  # a page shown again is not an error


async def test_reload_and_back_show_the_step_with_its_values(client):
    await make_member()
    await through_contact(client)
    for path, value in [
        ("/profile", 'value="particulier" checked'),
        ("/identifier", 'value="2 85 03 97 411 023"'),
        ("/contact", 'value="Hoarau"'),
    ]:
        page = (await client.get(BASE + path)).text
        assert value in page
        assert page.startswith("<!doctype html>")  # never a bare fragment


async def test_language_switch_keeps_typed_values(client):
    await submit(client, "/profile", {"profile": "particulier"})
    await submit(client, "/identifier", {"identifier": NIR})
    response = await submit(client, "/contact", {**CONTACT, "email": "half@", "switch_lang": "en"})
    assert location(response) == BASE + "/contact"
    page = (await client.get(BASE + "/contact")).text
    assert '<html lang="en">' in page and "Your contact details" in page
    assert 'value="half@"' in page and 'value="Céline"' in page
    assert "field--error" not in page
    # every step's language switch is a button of its form
    assert 'form="wizard" name="switch_lang" value="fr"' in page


async def test_language_switch_with_htmx_reloads_the_page(client):
    await submit(client, "/profile", {"profile": "particulier"})
    response = await submit(
        client, "/identifier", {"identifier": "12", "switch_lang": "en"}, headers=HX
    )
    assert response.status_code == 200 and response.headers["HX-Redirect"] == BASE + "/identifier"
    assert "lang=en" in response.headers["set-cookie"]


async def test_htmx_step_answers_the_next_block_with_its_url(client):
    response = await submit(client, "/profile", {"profile": "particulier"}, headers=HX)
    assert response.status_code == 200
    assert response.headers["HX-Push-Url"] == BASE + "/identifier"
    body = response.text
    assert not body.startswith("<!doctype") and "<header" not in body
    assert title(body) == "Étape 2 sur 6 – Votre identifiant – Mon espace privé"
    assert "data-focus-on-swap" in body.split("<h1")[1].split(">")[0]
    assert 'data-hx-post="/espace-prive/register/identifier"' in body
    assert 'data-hx-target="#main"' in body
    # an error answers the same block, status 422, with the error summary focused
    response = await submit(client, "/identifier", {"identifier": "12"}, headers=HX)
    assert response.status_code == 422 and "HX-Push-Url" not in response.headers
    assert title(response.text).startswith("Erreur : Étape 2 sur 6")
    assert 'class="error-summary" tabindex="-1" autofocus' in text(response)
    assert response.headers["Cache-Control"] == "no-store"


async def test_an_untouched_step_is_rendered_once_and_given_to_each_visitor_as_it_would_be(
    app, monkeypatch
):
    """A step nobody has typed in yet is rendered once per language and per what it shows (an
    individual's identifier or a company's), then given to each visitor with their own token:
    the very HTML of a fresh render. A typed value or an error is never kept."""
    from web import rendering

    cache = app.state.templates.constant_blocks

    async def identifier_step(profile: str, lang: str, typed: str | None = None):
        """A new visitor's identifier step (htmx), and their own token (from a full page)."""
        transport = httpx.ASGITransport(app=app, client=("203.0.113.8", 51000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            headers = {"Accept-Language": lang}
            await submit(http, "/profile", {"profile": profile}, headers=headers)
            if typed is not None:
                await submit(http, "/identifier", {"identifier": typed}, headers=headers)
            step = await http.get(BASE + "/identifier", headers={**HX, **headers})
            own = hidden_fields((await http.get(BASE + "/identifier", headers=headers)).text)
            assert step.status_code == 200
            return step.text, own["csrf_token"]

    shows = [(profile, lang) for profile in ("particulier", "entreprise") for lang in ("fr", "en")]
    monkeypatch.setattr(rendering, "CONSTANT_BLOCKS_MAX", 0)  # nothing kept: fresh renders
    fresh = {shown: await identifier_step(*shown) for shown in shows}
    assert not cache
    monkeypatch.setattr(rendering, "CONSTANT_BLOCKS_MAX", 256)
    for shown in shows:
        await identifier_step(*shown)  # rendered, kept
        cached, token = await identifier_step(*shown)
        fresh_html, fresh_token = fresh[shown]
        assert token != fresh_token and f'name="csrf_token" value="{token}"' in cached
        assert cached.replace(token, "T") == fresh_html.replace(fresh_token, "T")
    assert len(cache) == 4 and len({html.replace(t, "") for html, t in fresh.values()}) == 4
    typed, _token = await identifier_step("particulier", "fr", typed="12")
    assert 'value="12"' in typed and len(cache) == 4
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://testserver") as http:
        await submit(http, "/profile", {"profile": "particulier"})
        error = await submit(http, "/identifier", {"identifier": ""}, headers=HX)
    assert error.status_code == 422 and "error-summary" in error.text and len(cache) == 4


async def test_a_step_given_from_the_cache_builds_no_form(client, monkeypatch):
    """Step 1's answer, step 2 with nothing typed in it, once kept: no identifier form is built
    for it (only to render the block, or the whole page)."""
    await submit(client, "/profile", {"profile": "particulier"}, headers=HX)  # rendered, kept
    built, init = [], IdentifierForm.__init__

    def counted(form, *args, **kwargs):
        built.append(form)
        init(form, *args, **kwargs)

    monkeypatch.setattr(IdentifierForm, "__init__", counted)
    response = await submit(client, "/profile", {"profile": "particulier"}, headers=HX)
    assert response.headers["HX-Push-Url"] == BASE + "/identifier"
    assert title(response.text) == "Étape 2 sur 6 – Votre identifiant – Mon espace privé"
    assert built == []
    full = await client.get(BASE + "/identifier")
    assert 'id="identifier"' in full.text and len(built) == 1


async def test_the_identifier_step_writes_the_draft_once(client):
    """What was typed and its printed form go to the draft in one write, not one each."""
    await submit(client, "/profile", {"profile": "particulier"})
    page = (await client.get(BASE + "/identifier")).text
    with counting() as counted:
        response = await client.post(BASE + "/identifier", data={
            **hidden_fields(page), "action": "next", "identifier": NIR})
    assert location(response) == BASE + "/contact"
    writes = [sql for sql in counted.sql if "registration_draft" in sql and "SELECT" not in sql]
    assert len(writes) == 1, writes
    assert (await draft(client)).fields["identifier"] == checks.format_identifier(NIR)


async def test_abandon_without_js_is_a_plain_page_then_deletes_the_draft(client):
    await submit(client, "/profile", {"profile": "particulier"})
    await submit(client, "/identifier", {"identifier": NIR})
    page = (await client.get(BASE + "/contact")).text
    link = re.search(r'<a class="dialog-link" href="([^"]+)"', page).group(1)
    confirm = await client.get(link.replace("&amp;", "&"))
    assert confirm.status_code == 200 and "Abandonner votre inscription ?" in confirm.text
    assert f'href="{BASE}/contact"' in confirm.text  # "continue" goes back to the step
    response = await client.post(BASE + "/abandon", data=hidden_fields(confirm.text))
    assert location(response) == "/espace-prive/?abandoned=1"
    assert await draft(client) is None
    home = (await client.get("/espace-prive/?abandoned=1")).text
    assert "Votre inscription a été abandonnée" in home
    assert location(await client.get(BASE + "/contact")) == BASE + "/profile"


async def test_abandon_as_a_dialog_with_htmx(client):
    response = await client.get(BASE + "/abandon?from=" + BASE + "/profile", headers=HX)
    assert response.text.lstrip().startswith("<dialog")
    assert "data-close-dialog" in text(response) and 'method="post"' in text(response)


async def test_abandon_never_redirects_elsewhere(client):
    for bad in (
        "https://evil.example/",
        "//evil.example",
        "/espace-prive/register/../../x",
        "javascript:alert(1)",
    ):
        page = (await client.get(BASE + "/abandon", params={"from": bad})).text
        # "Continue my registration" falls back to the wizard's start
        assert re.findall(r'<a [^>]*href="([^"]*)"[^>]*data-close-dialog', page) == [BASE]


def test_the_profiles_offered_are_the_registrys_then_other():
    """A member chooses among the codes the registry records, in its order, or "other"."""
    assert list(PROFILES) == [*PROFILE_CODES, OTHER]
