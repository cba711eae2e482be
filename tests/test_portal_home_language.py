"""The language switch of a portal's home page submits its log-in form: the typed login
comes back on the home page in the other language, never the password."""

from __future__ import annotations

import re

import httpx
import pytest
from http_helpers import csrf_from

from web.security.models import AuditEvent

TYPED = {"mss": "Hélène.Lefèvre@example.org", "espace-prive": "2A 85 03 974 11 023"}
PASSWORD = "secret words typed here"  # noqa: S105 - a test value


def switch_buttons(page: str) -> list[str]:
    header = page.split("</header>")[0]
    return re.findall(r'<button class="lang-switch__link"[^>]*>', header)


@pytest.mark.parametrize("portal", ["mss", "espace-prive"])
async def test_home_switch_buttons_submit_the_login_form(client, portal):
    page = (await client.get(f"/{portal}/")).text
    (button,) = switch_buttons(page)
    assert 'form="login-form" name="switch_lang" value="en"' in button
    assert '<a class="lang-switch__link"' not in page
    form = page[page.index('<form class="login-form" id="login-form"') :].split("</form>")[0]
    assert '<input type="hidden" name="came_from" value="home">' in form
    # Enter in a field still means "Log in", not the first language button.
    assert page.index('<button form="login-form" hidden>') < page.index(button)


@pytest.mark.parametrize("portal", ["mss", "espace-prive"])
async def test_switching_on_the_home_keeps_the_login_and_comes_back_home(client, portal):
    home = await client.get(f"/{portal}/")
    response = await client.post(
        f"/{portal}/login",
        data={
            "csrf_token": csrf_from(home.text),
            "came_from": "home",
            "login": TYPED[portal],
            "password": PASSWORD,
            "switch_lang": "en",
        },
    )
    assert response.status_code == 303 and response.headers["location"] == f"/{portal}/"
    assert "lang=en" in response.headers["set-cookie"]
    again = (await client.get(f"/{portal}/")).text
    assert '<html lang="en">' in again
    assert f'value="{TYPED[portal]}"' in again
    assert PASSWORD not in again
    assert 'value="fr"' in switch_buttons(again)[0]
    # the login kept is no registration: none is counted as started
    assert not await AuditEvent.filter(event="registration_started").exists()


@pytest.mark.parametrize("came_from", ["", "//evil.example/", "/mss/account", "HOME"])
async def test_any_other_origin_of_the_switch_comes_back_to_the_login_page(client, came_from):
    home = await client.get("/mss/")
    response = await client.post(
        "/mss/login",
        data={
            "csrf_token": csrf_from(home.text),
            "came_from": came_from,
            "login": TYPED["mss"],
            "switch_lang": "en",
        },
    )
    assert response.status_code == 303 and response.headers["location"] == "/mss/login"


async def test_what_one_visitor_typed_never_shows_on_another_visitors_home(client, app):
    home = await client.get("/mss/")
    await client.post(
        "/mss/login",
        data={
            "csrf_token": csrf_from(home.text),
            "came_from": "home",
            "login": TYPED["mss"],
            "switch_lang": "en",
        },
    )
    transport = httpx.ASGITransport(app=app, client=("198.51.100.4", 52000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        assert TYPED["mss"] not in (await other.get("/mss/")).text
    assert TYPED["mss"] in (await client.get("/mss/")).text
