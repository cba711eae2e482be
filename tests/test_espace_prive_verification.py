"""Identity verification (guide step 4, SPEC §3.5): the chain of questions with and without
htmx, the registry match with one generic message, the lockout, already registered."""

from __future__ import annotations

import html
import json
import re
from datetime import date

import httpx
import pytest
from espace_prive_support import (
    BASE,
    CONTACT,
    IBAN,
    NIR,
    SERIAL,
    SIRET,
    draft,
    location,
    make_company,
    make_member,
    submit,
    through_contact,
    through_verification,
)
from sql_counter import counting

from web.accounts import service as accounts
from web.app import create_app
from web.portals import journey
from web.security.models import AuditEvent

HX = {"HX-Request": "true", "HX-Request-Type": "partial"}
VERIFY = BASE + "/verification"
MISMATCH = "Les informations saisies ne correspondent pas à celles que nous connaissons."


@pytest.fixture(autouse=True)
def no_fill_delay(monkeypatch):
    monkeypatch.setattr(journey, "MIN_FILL_SECONDS", 0)


def text(response) -> str:
    return html.unescape(response.text)


async def answer(client, question: str, data: dict):
    """An htmx follow-up: the radio's data-hx-post, with the whole form."""
    return await submit(client, f"/verification/choice/{question}", data, headers=HX, page=VERIFY)


async def test_without_js_each_question_is_a_page(client):
    await make_member()
    await through_contact(client)
    page = (await client.get(VERIFY)).text
    assert "Êtes-vous affilié à la caisse pour votre santé ?" in html.unescape(page)
    assert "Carte Vitale, remboursement maladie, indemnités journalières…" in html.unescape(page)
    assert 'name="card_kind"' not in page  # the follow-up is a next page
    assert location(await submit(client, "/verification", {"health": "yes"})) == VERIFY + "/card"
    card = (await client.get(VERIFY + "/card")).text
    assert "Votre carte Vitale est…" in card and "Avec photo" in card and "Sans photo" in card
    assert_illustrated(card)
    response = await submit(client, "/verification/card", {"card_kind": "no_photo"})
    assert location(response) == VERIFY + "/serial"
    serial = (await client.get(VERIFY + "/serial")).text
    assert "Numéro de série de votre carte Vitale" in serial
    assert "<svg" not in serial  # drawn once, on the card-kind step; the hint says where
    assert "8 à 12 chiffres, par exemple : 802500002. " + BACK in text_of(serial)
    assert f'href="{VERIFY}/other"' in serial
    assert "Je n'arrive pas à lire ce numéro" in html.unescape(serial)
    await make_member_kind("no_photo")
    response = await submit(client, "/verification/serial", {"serial": "802 500 002"})
    assert location(response) == BASE + "/password"


FRONT = "Le numéro de série est imprimé au recto, sous la photo."
BACK = "Le numéro de série est imprimé au verso, en bas à droite."


def text_of(page: str) -> str:
    return html.unescape(page)


def assert_illustrated(page: str) -> None:
    """Both kinds drawn inline in system colours, hidden from assistive technology, each
    with the sentence that says where the number is, read as the option's description."""
    drawings = re.findall(r"<svg [^>]*>.*?</svg>", page, re.S)
    assert len(drawings) == 2 and "<img" not in page
    for drawing in drawings:
        assert 'aria-hidden="true"' in drawing.split(">")[0]
        colours = set(re.findall(r'(?:fill|stroke)="([^"]*)"', drawing))
        assert colours <= {"none", "currentColor", "Canvas"}, colours
    for option, where in (("card_kind-0", FRONT), ("card_kind-1", BACK)):
        assert f'aria-describedby="{option}-hint"' in page
        hint = re.search(rf'<div class="hint radios__hint" id="{option}-hint">(.*?)</div>',
                         page, re.S).group(1)
        assert "<svg" in hint and f"<p>{where}</p>" in text_of(hint)


async def make_member_kind(kind: str) -> None:
    from web.registry.models import Member

    member = await Member.get(identifier=NIR)
    member.facts = {**member.facts, "vitale_kind": kind}
    await member.save()


async def test_previous_walks_back_through_the_questions(client):
    await make_member()
    await through_contact(client)
    await submit(client, "/verification", {"health": "yes"})
    await submit(client, "/verification/card", {"card_kind": "photo"})
    response = await submit(client, "/verification/serial", {"serial": "12", "action": "back"})
    assert location(response) == VERIFY + "/card"
    assert location(await submit(client, "/verification/card", {"action": "back"})) == VERIFY
    assert location(await submit(client, "/verification", {"action": "back"})) == (
        BASE + "/contact"
    )
    # a full page shows the questions already reached, with their answers
    page = (await client.get(VERIFY)).text
    assert 'value="yes" checked' in page and 'value="photo" checked' in page
    assert 'value="12"' in page


async def test_cannot_read_the_serial_then_iban(client):
    await make_member()
    await through_contact(client)
    await submit(client, "/verification", {"health": "yes"})
    await submit(client, "/verification/card", {"card_kind": "photo"})
    other = await client.get(VERIFY + "/other")
    assert "Laquelle de ces informations pouvez-vous donner ?" in text(other)
    assert location(await submit(client, "/verification/other", {"other": "iban"})) == (
        VERIFY + "/iban"
    )
    response = await submit(
        client, "/verification/iban", {"iban": "fr76 3000 6000 0112 3456 7890 189"}
    )
    assert location(response) == BASE + "/password"
    assert (await draft(client)).verified.method == "iban"
    passed = await AuditEvent.get(event="verification_passed")  # the names mss uses
    assert passed.detail["method"] == "iban"


async def test_not_affiliated_then_postal(client):
    await make_member()
    await through_contact(client)
    assert location(await submit(client, "/verification", {"health": "no"})) == VERIFY + "/other"
    response = await submit(client, "/verification/other", {"other": "none"})
    assert location(response) == VERIFY + "/postal"
    postal = await client.get(VERIFY + "/postal")
    assert "Votre mot de passe vous sera envoyé par courrier" in text(postal)
    assert location(await submit(client, "/verification/postal", {})) == BASE + "/password"
    page = await client.get(BASE + "/password")
    assert "par courrier" in text(page) and "Aucune : mot de passe provisoire par courrier" in text(
        page
    )


async def test_company_starts_with_another_fact(client):
    await make_company()
    await through_contact(
        client,
        profile="entreprise",
        identifier=SIRET,
        contact={
            "last_name": "domaine des trois vallees",
            "birth_day": "18",
            "birth_month": "05",
            "birth_year": "2009",
            "email": "domaine@example.com",
            "mobile": "",
        },
    )
    page = (await client.get(VERIFY)).text
    assert 'name="health"' not in page and 'name="other"' in page
    await submit(client, "/verification", {"other": "iban"})
    response = await submit(client, "/verification/iban", {"iban": IBAN})
    assert location(response) == BASE + "/password"


async def test_htmx_follow_ups_appear_under_the_answer(client):
    await make_member()
    await through_contact(client)
    response = await answer(client, "health", {"health": "yes"})
    assert response.status_code == 200
    assert response.text.startswith('<div class="question" id="q-card">')
    assert 'data-hx-target="#card-follow-up"' in response.text
    assert "data-focus-on-swap" not in response.text  # focus stays on the radio
    assert 'hx-target="#status"' in response.text and "Nouvelle question ci-dessous" in text(
        response
    )
    response = await answer(client, "card", {"health": "yes", "card_kind": "photo"})
    assert 'id="q-serial"' in response.text and FRONT in text(response)
    assert "<svg" not in response.text  # the drawings are already above, on the card question
    assert f'data-hx-get="{VERIFY}/other"' in response.text
    response = await answer(client, "health", {"health": "no"})
    assert 'id="q-other"' in response.text
    response = await answer(client, "other", {"health": "no", "other": "iban"})
    assert 'id="q-iban"' in response.text and 'autocomplete="off"' in response.text
    response = await answer(client, "other", {"health": "no", "other": "none"})
    assert 'id="q-postal"' in response.text
    # a page reload shows what htmx added
    page = (await client.get(VERIFY)).text
    assert 'id="q-other"' in page and 'id="q-postal"' in page


async def test_htmx_cannot_read_replaces_the_serial_question(client):
    await make_member()
    await through_contact(client)
    await answer(client, "health", {"health": "yes"})
    await answer(client, "card", {"health": "yes", "card_kind": "photo"})
    serial = (await client.get(VERIFY + "/serial")).text
    assert ('data-hx-get="/espace-prive/register/verification/other" data-hx-target="#main" '
            'data-hx-push-url="true"') in serial
    # swapped in, the step of /verification/other: the same as its page, the heading focused
    swapped = (await client.get(VERIFY + "/other", headers=HX)).text
    page = (await client.get(VERIFY + "/other")).text
    assert 'id="q-other"' in swapped and 'id="q-serial"' not in swapped
    assert swapped.split("</title>", 1)[1].split("<hx-partial")[0].strip() in page
    assert re.search(r'<h1 id="heading"[^>]*data-focus-on-swap', swapped)


async def test_whole_chain_on_one_page_as_htmx_sends_it(client):
    await make_member()
    await through_contact(client)
    data = {
        "q": ["health", "card", "other", "iban"],
        "health": "yes",
        "card_kind": "photo",
        "other": "iban",
        "iban": IBAN,
    }
    response = await submit(client, "/verification", data, headers=HX)
    assert response.status_code == 200 and response.headers["HX-Push-Url"] == BASE + "/password"
    assert "Étape 5 sur 6" in response.text


@pytest.mark.parametrize(
    ("question", "data", "message"),
    [
        ("", {"q": "health"}, "Répondez oui ou non."),
        ("", {"q": "health", "health": "maybe"}, ""),
        ("/card", {"q": "card"}, "Choisissez le type de votre carte Vitale."),
        ("/serial", {"q": "serial", "serial": ""}, "Saisissez le numéro de série"),
        ("/serial", {"q": "serial", "serial": "12AB"}, "8 à 12 chiffres"),
        ("/serial", {"q": "serial", "serial": "<script>alert(1)</script>"}, "8 à 12 chiffres"),
        ("/serial", {"q": "serial", "serial": "9" * 10_000}, "au plus 60 caractères"),
        ("/serial", {"q": "serial", "serial": "٨٠٢٥٠٠٠٠٢x"}, "8 à 12 chiffres"),
        ("/iban", {"q": "iban", "iban": "FR76 3000 6000 0112 3456 7890 188"}, "n'est pas valide"),
        ("/iban", {"q": "iban", "iban": "' OR 1=1 --"}, "que des lettres et des chiffres"),
        ("/iban", {"q": "iban", "iban": "银行账户"}, "que des lettres et des chiffres"),
    ],
)
async def test_fact_errors(client, question, data, message):
    await make_member()
    await through_contact(client)
    await submit(client, "/verification", {"health": "yes"})
    await submit(client, "/verification/card", {"card_kind": "photo"})
    if question == "/iban":
        await submit(client, "/verification/other", {"other": "iban"})
    response = await submit(client, "/verification" + question, data)
    assert response.status_code == 422
    assert message in text(response)
    assert "<script>alert" not in response.text
    assert await AuditEvent.filter(event="verification_failed").count() == 0  # not a try


UNANSWERED = {
    "health": "Répondez oui ou non.",
    "card_kind": "Choisissez le type de votre carte Vitale.",
    "other": "Choisissez l'une des options.",
}
RADIO_HOSTILE = ["<script>alert(1)</script>", "' OR 1=1 --", "a\x00b", "نعم", "是", "x" * 10_000,
                 "photo ", "PHOTO", ""]


@pytest.mark.parametrize("value", RADIO_HOSTILE)
@pytest.mark.parametrize(
    ("page", "field", "earlier"),
    [
        ("/verification", "health", {}),
        ("/verification/card", "card_kind", {"health": "yes"}),
        ("/verification/other", "other", {"health": "no"}),
    ],
)
async def test_hostile_radio_values(client, page, field, earlier, value):
    await make_member()
    await through_contact(client)
    if earlier:
        await submit(client, "/verification", earlier)
    response = await submit(client, page, {field: value})
    assert response.status_code == 422
    assert (UNANSWERED[field] if value == "" else "Choisissez l'une des options.") in text(response)
    assert "<script>alert" not in response.text and "x" * 100 not in response.text
    assert 'checked' not in response.text.split(f'name="{field}"', 1)[1].split("</fieldset>")[0]
    # the same through htmx's follow-up request: nothing follows a value that is no choice
    if page != "/verification":
        return
    follow_up = await answer(client, "health", {field: value})
    assert follow_up.status_code == 200 and follow_up.text == ""


@pytest.mark.parametrize(
    "shown", ["<script>alert(1)</script>", "../../etc", "HEALTH", "x" * 10_000, "\x00", ""]
)
async def test_hostile_question_names_fall_back_to_the_page_question(client, shown):
    """``q`` says which questions the form showed; a name that is no question is ignored."""
    await make_member()
    await through_contact(client)
    response = await submit(client, "/verification", {"q": [shown, shown], "health": "yes"})
    assert location(response) == VERIFY + "/card"
    response = await submit(client, "/verification/card", {"q": shown})
    assert response.status_code == 422 and "Choisissez le type de votre carte Vitale." in text(
        response
    )
    assert "<script>alert" not in response.text


MISMATCHES = {
    "wrong serial": ({}, {"serial": "802500003"}),
    "wrong card kind": ({}, {"card_kind": "no_photo"}),
    "unknown number": ({"identifier": "2850397411024"}, {}),
    "wrong last name": ({"contact": {**CONTACT, "last_name": "Hoareau"}}, {}),
    "wrong first name": ({"contact": {**CONTACT, "first_names": "Céline Marie"}}, {}),
    "wrong birth date": ({"contact": {**CONTACT, "birth_day": "15"}}, {}),
    "wrong profile": ({"profile": "exploitant"}, {}),
}


def mismatch_summary(page: str) -> str:
    return re.search(r'<div class="error-summary".*?</div>', page, re.S).group(0)


async def test_every_mismatch_says_the_same(client):
    await make_member()
    summaries = set()
    for earlier, facts in MISMATCHES.values():
        await client.post(BASE + "/abandon", data={"csrf_token": await _csrf(client)})
        await through_contact(client, **earlier)
        data = {
            "q": ["health", "card", "serial"],
            "health": "yes",
            "card_kind": "photo",
            "serial": SERIAL,
            **facts,
        }
        response = await submit(client, "/verification", data)
        assert response.status_code == 422
        summaries.add(mismatch_summary(response.text))
        assert 'aria-invalid="true"' not in response.text  # never says which field
        await _unlock()
    assert len(summaries) == 1
    summary = html.unescape(summaries.pop())
    assert MISMATCH in summary and "support-prive@espace.example.org" in summary


async def _csrf(client) -> str:
    page = await client.get("/espace-prive/register/abandon")
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


async def _unlock() -> None:
    from web.security.models import AttemptCounter

    await AttemptCounter.all().delete()


async def test_wrong_iban_says_the_same(client):
    await make_member()
    await through_contact(client)
    data = {
        "q": ["health", "other", "iban"],
        "health": "no",
        "other": "iban",
        "iban": "FR1420041010050500013M02606",
    }
    response = await submit(client, "/verification", data)
    assert response.status_code == 422 and MISMATCH in text(response)


async def test_three_failures_lock_verification_for_30_minutes(client):
    await make_member()
    await through_contact(client)
    wrong = {
        "q": ["health", "card", "serial"],
        "health": "yes",
        "card_kind": "photo",
        "serial": "111111111",
    }
    for _ in range(2):
        assert (await submit(client, "/verification", wrong)).status_code == 422
    locked = await submit(client, "/verification", wrong)
    assert locked.status_code == 429
    assert "Vérification suspendue" in text(locked) and "Réessayez dans 30 minutes" in text(locked)
    assert "support-prive@espace.example.org" in locked.text
    assert locked.text.count('name="serial"') == 0  # no more questions while locked
    right = {**wrong, "serial": SERIAL}
    assert (await submit(client, "/verification", right)).status_code == 429
    assert (await client.get(VERIFY)).status_code == 429
    assert await AuditEvent.filter(event="verification_failed").count() == 3
    assert await AuditEvent.filter(event="verification_locked").count() == 1
    event = await AuditEvent.filter(event="verification_failed").first()
    assert NIR not in json.dumps(event.detail) and event.subject != NIR  # pseudonymised


async def test_lockout_is_per_member_from_any_client(app, client):
    await make_member()
    wrong = {
        "q": ["health", "card", "serial"],
        "health": "yes",
        "card_kind": "photo",
        "serial": "111111111",
    }
    for number in range(3):
        other = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=(f"198.51.100.{number}", 5000)),
            base_url="http://testserver",
        )
        async with other:
            await through_contact(other)
            await submit(other, "/verification", wrong)
    await through_contact(client)
    right = {**wrong, "serial": SERIAL}
    assert (await submit(client, "/verification", right)).status_code == 429


async def test_lockout_is_per_client_for_any_member(client):
    await make_member()
    for day in ("10", "11", "12"):  # three identities that do not exist, from one client
        await through_contact(client, contact={**CONTACT, "birth_day": day})
        response = await through_verification(client)
        assert response.status_code in (422, 429)
    await through_contact(client)
    assert (await through_verification(client)).status_code == 429


async def test_already_registered_only_after_a_full_match(client):
    member = await make_member()
    await accounts.create_account(
        member,
        portal="espace-prive",
        login=NIR,
        email="x@example.org",
        language="fr",
        policy_version="2026-01",
    )
    await through_contact(client)
    wrong = await through_verification(
        client, q=["health", "card", "serial"], health="yes", card_kind="photo", serial="111111111"
    )
    assert wrong.status_code == 422 and "déjà" not in text(wrong)
    assert location(await through_verification(client)) == BASE + "/already"
    page = await client.get(BASE + "/already")
    assert "Vous avez déjà un espace privé" in text(page)
    assert 'href="/espace-prive/login"' in page.text and 'href="/espace-prive/forgot"' in page.text
    assert (await draft(client)).verified is None


async def test_changing_identity_after_verification_verifies_again(client):
    await make_member()
    await through_contact(client)
    assert location(await through_verification(client)) == BASE + "/password"
    response = await submit(
        client, "/contact?back=password", {**CONTACT, "first_names": "Celine"}
    )  # same name, no accent
    assert location(response) == BASE + "/password"
    response = await submit(client, "/contact?back=password", {**CONTACT, "birth_day": "13"})
    assert location(response) == VERIFY
    assert location(await client.get(BASE + "/password")) == VERIFY


async def test_health_question_wording_is_configurable(db, settings, tmp_path):
    branding = tmp_path / "branding.json"
    question = {
        "fr": "Êtes-vous affilié à la Caisse Démo pour votre santé ?",
        "en": "Is the Demo Fund your health insurer?",
    }
    branding.write_text(json.dumps({"espace-prive": {"health_question": question}}))
    from dataclasses import replace

    app = create_app(replace(settings, branding_file=str(branding)), init_db=False)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as custom:
        await make_member()
        await through_contact(custom)
        assert question["fr"] in text(await custom.get(VERIFY))
        assert question["en"] in text(await custom.get(VERIFY, params={"lang": "en"}))


async def test_member_without_fact_can_only_go_by_post(client):
    await make_member(
        facts={
            "profile": "particulier",
            "health_affiliated": False,
            "vitale_serial": "",
            "vitale_kind": "",
            "iban": "",
        },
        birth_date=date(1985, 3, 14),
    )
    await through_contact(client)
    assert (await through_verification(client)).status_code == 422
    data = {"q": ["health", "other", "postal"], "health": "no", "other": "none"}
    assert location(await submit(client, "/verification", data)) == BASE + "/password"


async def test_the_verification_counts_its_sql(client):
    await make_member()
    await through_contact(client)
    await client.get(VERIFY)  # the page (and its token) as a member opens it
    with counting() as counted:
        assert location(await through_verification(client)) == BASE + "/password"
    print(f"\nespace-prive verification: {counted.statements} statements, "
          f"{counted.transactions} transactions\n" + "\n".join(s[:100] for s in counted.sql))


def served_meanwhile(monkeypatch, request_meanwhile):
    """The next radio choice's request reads its draft, then waits while
    ``request_meanwhile()`` is served whole (as another process would serve it)."""
    from web.portals.espace_prive.steps import verification

    read = verification.visit

    async def read_then_wait(request):
        v = await read(request)
        if "/choice/" in request.url.path:  # not the page the choice is sent from
            monkeypatch.setattr(verification, "visit", read)
            await request_meanwhile()
        return v

    monkeypatch.setattr(verification, "visit", read_then_wait)


async def test_a_choice_read_before_the_steps_send_never_undoes_it(client, monkeypatch):
    """A radio's save, whose draft was read before Suivant's send verified the member and was
    saved, must not write back the draft it read (without the verification: the member sent
    back to answer again)."""
    await make_member()
    await through_contact(client)

    async def suivant():
        assert location(await through_verification(client)) == BASE + "/password"

    served_meanwhile(monkeypatch, suivant)
    response = await answer(client, "card", {"q": ["health", "card"], "health": "yes",
                                             "card_kind": "photo"})
    assert response.status_code == 200
    assert (await draft(client)).verified is not None
    assert (await client.get(BASE + "/password")).status_code == 200


async def test_of_two_choices_read_alike_the_one_saved_last_is_kept(client, monkeypatch):
    """Two choices of one question, the second read before the first was saved: the second
    is the one the page shows (its answer lands last), and the draft's."""
    await make_member()
    await through_contact(client)
    chosen = {"q": ["health", "card"], "health": "yes"}

    async def first_choice():
        assert (await answer(client, "card", {**chosen, "card_kind": "photo"})).is_success

    served_meanwhile(monkeypatch, first_choice)
    assert (await answer(client, "card", {**chosen, "card_kind": "no_photo"})).is_success
    assert (await draft(client)).fields["card_kind"] == "no_photo"
