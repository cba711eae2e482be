"""The end of a logged-in session (WCAG 2.2.1): the pages say when it comes, "Stay logged in"
renews it, and after it the log-in page says so and brings the member back where they were."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from accounts_support import MSS_EMAIL, PASSWORD, csrf_from, log_in, make_account

from web.security.models import Session
from web.security.sessions import now

PARTIAL = {"HX-Request": "true", "HX-Request-Type": "partial"}


async def idle_for(account, minutes: float) -> None:
    """Time passes (simulated): the session was last seen ``minutes`` ago."""
    await Session.filter(account_id=account.pk).update(
        last_seen_at=now() - timedelta(minutes=minutes)
    )


async def test_the_member_space_says_when_the_session_ends(client):
    account = await make_account()
    await log_in(client, "mss", MSS_EMAIL, PASSWORD)
    for path in ("/mss/account", "/mss/account/password"):
        await idle_for(account, 10)
        html = (await client.get(f"{path}?lang=en")).text
        ends = (await Session.get(account_id=account.pk)).last_seen_at + timedelta(minutes=30)
        paragraph = re.search(r'<p class="session-end"[^>]*>(.*?)</p>', html, re.S)
        assert paragraph, path
        assert f'<time datetime="{ends:%Y-%m-%dT%H:%MZ}">{ends:%H:%M} UTC</time>' in paragraph[1]
        assert "your session ends at" in paragraph[1]
        left = int(re.search(r'data-session-left="(\d+)"', html)[1])
        warn = int(re.search(r'data-session-warn="(\d+)"', html)[1])
        # a page is activity: the session was touched, 30 minutes are left
        assert 29 * 60 < left <= 30 * 60 + 1
        assert left - warn == 180  # the dialog opens 3 minutes ahead (at least 2)
        assert 'id="session-dialog"' in html and "Stay logged in" in html
    french = (await client.get("/mss/account?lang=fr")).text
    assert "TU</time>" in french


async def test_no_session_end_outside_the_member_space(client):
    for path in ("/mss/login", "/mss/", "/espace-prive/login"):
        assert 'id="session-end"' not in (await client.get(path)).text


async def test_stay_logged_in_renews_the_session(client):
    account = await make_account()
    await log_in(client, "mss", MSS_EMAIL, PASSWORD)
    page = await client.get("/mss/account?lang=en")
    await idle_for(account, 28)
    answer = await client.post(
        "/mss/account/stay", data={"csrf_token": csrf_from(page.text)}, headers=PARTIAL
    )
    assert answer.status_code == 200
    seen = (await Session.get(account_id=account.pk)).last_seen_at
    assert now() - seen < timedelta(seconds=5)
    assert answer.text.startswith('<p class="session-end" id="session-end"')
    assert 'data-session-left="1' in answer.text  # 17xx seconds again
    assert "You are still logged in. Without activity, your session now ends at" in answer.text
    assert 'hx-target="#status"' in answer.text


async def test_stay_logged_in_without_js_goes_back_to_the_page(client):
    await make_account()
    await log_in(client, "mss", MSS_EMAIL, PASSWORD)
    page = await client.get("/mss/account/password")
    for sent, back in (("/mss/account/password", "/mss/account/password"),
                       ("//evil.example/", "/mss/account")):
        answer = await client.post(
            "/mss/account/stay", data={"csrf_token": csrf_from(page.text), "next": sent}
        )
        assert answer.status_code == 303 and answer.headers["location"] == back


async def test_stay_logged_in_after_the_end_says_it_has_ended(client):
    account = await make_account()
    await log_in(client, "mss", MSS_EMAIL, PASSWORD)
    page = await client.get("/mss/account?lang=en")
    await idle_for(account, 31)
    answer = await client.post(
        "/mss/account/stay", data={"csrf_token": csrf_from(page.text)}, headers=PARTIAL
    )
    assert answer.status_code == 200
    assert '<p class="session-end" id="session-end">Your session has ended.' in answer.text
    assert "data-session-left" not in answer.text
    assert await Session.filter(account_id=account.pk).count() == 0


async def test_after_the_end_the_member_logs_in_again_and_comes_back_to_the_form(client):
    account = await make_account()
    await log_in(client, "mss", MSS_EMAIL, PASSWORD)
    form = await client.get("/mss/account/password")
    await idle_for(account, 31)
    # The change-password form sent after the end: what was typed cannot be kept (passwords),
    # but the member is told why and brought back to the form.
    sent = await client.post(
        "/mss/account/password",
        data={"csrf_token": csrf_from(form.text), "current": PASSWORD, "password": "x"},
    )
    assert sent.status_code == 303
    location = sent.headers["location"]
    parts = urlsplit(location)
    assert parts.path == "/mss/login"
    assert parse_qs(parts.query) == {
        "next": ["/mss/account/password"], "notice": ["session-expired"]
    }
    login = await client.get(location + "&lang=en")
    assert "Your session has ended: you were logged out after a time without activity" in (
        login.text
    )
    assert 'class="notice notice--info"' in login.text
    assert '<input type="hidden" name="next" value="/mss/account/password">' in login.text
    back = await client.post(
        "/mss/login",
        data={"csrf_token": csrf_from(login.text), "login": MSS_EMAIL, "password": PASSWORD,
              "next": "/mss/account/password"},
    )
    assert back.status_code == 303 and back.headers["location"] == "/mss/account/password"
    assert (await client.get("/mss/account/password")).status_code == 200


async def test_a_visitor_never_logged_in_is_not_told_a_session_expired(client):
    response = await client.get("/mss/account/password")
    assert response.headers["location"] == "/mss/login?next=%2Fmss%2Faccount%2Fpassword"


async def test_a_wrong_password_and_a_language_switch_keep_where_to_go_back(client):
    await make_account()
    page = await client.get("/mss/login?next=/mss/account/password")
    wrong = await client.post(
        "/mss/login",
        data={"csrf_token": csrf_from(page.text), "login": MSS_EMAIL, "password": "wrong words",
              "next": "/mss/account/password"},
    )
    assert wrong.status_code == 422
    assert '<input type="hidden" name="next" value="/mss/account/password">' in wrong.text
    switched = await client.post(
        "/mss/login",
        data={"csrf_token": csrf_from(page.text), "login": MSS_EMAIL, "switch_lang": "en",
              "next": "/mss/account/password"},
    )
    assert switched.headers["location"] == "/mss/login?next=%2Fmss%2Faccount%2Fpassword"


OPEN_REDIRECTS = [
    "//evil.example/mss/account",
    "///evil.example/mss/account",
    "/\\evil.example/mss/account",
    "\\\\evil.example/mss/account",
    "/\\/evil.example",
    "https://evil.example/mss/account",
    "javascript:alert(1)",
    "http:/mss/account",
    "/mss/account/../../evil",
    "/mss/account/./password",
    "/mss/account%2F%2Fevil.example",
    "/mss/account/%2e%2e/%2e%2e/logout",
    "/mss/account?next=//evil.example",
    "/mss/account#//evil.example",
    "/mss/account/password\r\nLocation: https://evil.example",
    "/mss/account\n",
    "/mss/account\t/password",
    " /mss/account/password",
    "/mss//account",
    "/mss/accounts-of-others",
    "/mss/login",
    "/mss/logout",
    "/espace-prive/account",
    "/mss/account/pass\u200bword",
    "/mss/ａccount",
    "",
]


@pytest.mark.parametrize("target", OPEN_REDIRECTS)
async def test_a_log_in_never_goes_where_an_attacker_says(client, target):
    await make_account()
    page = await client.get("/mss/login", params={"next": target})
    assert 'name="next"' not in page.text
    response = await client.post(
        "/mss/login",
        data={"csrf_token": csrf_from(page.text), "login": MSS_EMAIL, "password": PASSWORD,
              "next": target},
    )
    assert response.status_code == 303 and response.headers["location"] == "/mss/account"
