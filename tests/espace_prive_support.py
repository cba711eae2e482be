"""Members and wizard helpers for the espace-prive journey tests."""

from __future__ import annotations

import re
from datetime import date

from starlette.requests import Request

from web.mail.models import OutboxMail
from web.portals.drafts import find_draft
from web.portals.espace_prive.wizard import Draft
from web.registry.models import Member

PORTAL = "espace-prive"
BASE = "/espace-prive/register"
NIR = "2850397411023"  # 2 85 03 974 11 023: born March 1985 in Réunion
SERIAL = "802500002"
IBAN = "FR7630006000011234567890189"
CORSICA_NIR = "162082A004017"
SIRET = "73282932000074"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
CODE_RE = re.compile(r"\b(\d{6})\b")

CONTACT = {
    "last_name": "Hoarau",
    "first_names": "Céline",
    "birth_day": "14",
    "birth_month": "3",
    "birth_year": "1985",
    "email": "celine.hoarau@example.org",
    "mobile": "0692 65 43 21",
}


def nir_key(nir13: str) -> str:
    from stdnum.fr import nir

    return nir.calc_check_digits(nir13)


async def make_member(**fields) -> Member:
    values = {
        "portal": PORTAL,
        "identifier": NIR,
        "last_name": "Hoarau",
        "first_names": "Céline",
        "birth_date": date(1985, 3, 14),
        "email": "",
        "address": "12 rue de Paris\n97400 Saint-Denis\nLa Réunion",
        "language": "fr",
        "facts": {
            "profile": "particulier",
            "health_affiliated": True,
            "vitale_serial": SERIAL,
            "vitale_kind": "photo",
            "iban": IBAN,
        },
        **fields,
    }
    return await Member.create(**values)


async def make_company(**fields) -> Member:
    values = {
        "identifier": SIRET,
        "last_name": "Domaine des Trois Vallées",
        "first_names": "",
        "birth_date": date(2009, 5, 18),
        "address": "Route des Crêtes\n84110 Vaison-la-Romaine",
        "facts": {
            "profile": "entreprise",
            "health_affiliated": False,
            "vitale_serial": "",
            "vitale_kind": "",
            "iban": IBAN,
        },
        **fields,
    }
    return await make_member(**values)


def hidden_fields(page: str) -> dict:
    """The CSRF token."""
    return {"csrf_token": CSRF_RE.search(page).group(1)}


async def submit(client, path: str, data: dict | None = None, *, headers=None, page=None):
    """GET the page (for its hidden fields), then POST ``data`` to it (Suivant by default)."""
    url = BASE + path
    source = await client.get(page or url)
    body = {**hidden_fields(source.text), "action": "next", **(data or {})}
    return await client.post(url, data=body, headers=headers)


def location(response) -> str:
    assert response.status_code == 303, (response.status_code, response.text[:500])
    return response.headers["location"]


async def through_contact(client, *, profile="particulier", identifier=NIR, contact=None):
    """Answer the profile, identifier and contact steps (valid answers by default)."""
    assert location(await submit(client, "/profile", {"profile": profile})) == BASE + "/identifier"
    assert location(await submit(client, "/identifier", {"identifier": identifier})) == (
        BASE + "/contact"
    )
    response = await submit(client, "/contact", contact or CONTACT)
    assert location(response) == BASE + "/verification", response.text[:300]


async def through_verification(client, **answers):
    """Answer the verification with the Carte Vitale (or ``answers``) on one page (as with JS)."""
    data = answers or {
        "q": ["health", "card", "serial"],
        "health": "yes",
        "card_kind": "photo",
        "serial": SERIAL,
    }
    return await submit(client, "/verification", data)


async def through_password(client):
    """Everything up to the policy step."""
    await through_contact(client)
    assert location(await through_verification(client)) == BASE + "/password"
    await confirm_email(client)


async def last_code() -> str:
    """The code of the last confirmation mail (what the visitor reads in their mailbox)."""
    mail = await OutboxMail.filter(template="email_code").order_by("-id").first()
    return CODE_RE.search(mail.bodies()[0]).group(1)


async def confirm_email(client):
    """Suivant on "Receive your password": an address the registry does not hold gets a
    code, typed back; the registry's (or the post) goes on at once."""
    response = await submit(client, "/password")
    if location(response) == BASE + "/password":
        response = await submit(client, "/password", {"email_code": await last_code()})
    assert location(response) == BASE + "/terms"


async def draft(client) -> Draft | None:
    """The visitor's draft, read as the app does (by its cookie id); None when none is kept."""
    request = Request({"type": "http", "state": {"sid": client.cookies.get("espace_sid")}})
    return await find_draft(request, PORTAL, Draft)
