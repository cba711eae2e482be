"""Members, accounts and log-in helpers for the account tests."""

from __future__ import annotations

import re
from datetime import date

from web.accounts import hashing, service
from web.accounts.models import Account
from web.registry.models import Member

PASSWORD = "gravel lantern orbit quince"  # noqa: S105 - test data
NEW_PASSWORD = "saffron tundra pebble violin"  # noqa: S105 - test data
MSS_EMAIL = "ines.lefevre@example.org"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
NIR = "1850578006084"


def csrf_from(html: str) -> str:
    """The CSRF token of a page (like conftest's: importing ``conftest`` by name breaks when
    pytest also collects components/, which has its own conftest)."""
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


async def post_form(client, url: str, data: dict):
    """POST a form with the CSRF token of the page it came from."""
    source = await client.get(url)
    return await client.post(url, data={"csrf_token": csrf_from(source.text), **data})


async def make_member(portal: str = "mss", **fields) -> Member:
    defaults = {
        "mss": dict(
            identifier="000123456", last_name="Lefèvre-Dupont", first_names="Inès", email=MSS_EMAIL
        ),
        "espace-prive": dict(
            identifier=NIR,
            last_name="N'Diaye",
            first_names="Aminata",
            email="aminata.ndiaye@example.org",
        ),
    }[portal]
    values = {**defaults, "birth_date": date(1985, 5, 1), "language": "fr", **fields}
    return await Member.create(portal=portal, **values)


async def make_account(
    portal: str = "mss", password: str | None = PASSWORD, language: str = "fr", **member_fields
) -> Account:
    """An account with an active password (or ``password=None``: pending)."""
    member = await make_member(portal, **member_fields)
    login = member.email if portal == "mss" else member.identifier
    account = await service.create_account(
        member,
        portal=portal,
        login=login,
        email=member.email,
        language=language,
        policy_version="2026-01",
    )
    if password is not None:
        account.password_hash = await hashing.hash_password(password)
        account.password_state = service.ACTIVE
        await account.save()
    return account


async def log_in(client, portal: str, login: str, password: str, **extra):
    page = await client.get(f"/{portal}/login")
    return await client.post(
        f"/{portal}/login",
        data={"csrf_token": csrf_from(page.text), "login": login, "password": password, **extra},
    )


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]+"', "", html)


def main_of(html: str) -> str:
    """The <main> of a page, whitespace collapsed (to compare pages' content)."""
    match = re.search(r"<main[^>]*>(.*)</main>", html, re.S)
    assert match, "page has no <main>"
    return " ".join(match.group(1).split())


def sid_cookie(response) -> str | None:
    match = re.search(r"espace_sid=([^;]+)", response.headers.get("set-cookie", ""))
    return match.group(1) if match else None
