"""Attacks on the request guard (issue 7 point 8): forged Origin headers, and a visitor id
chosen by the attacker (planted in the victim's browser, or sent by a script)."""

from __future__ import annotations

import pytest
from accounts_support import MSS_EMAIL, PASSWORD, make_account
from http_helpers import csrf_from, raw_request

from web.security.digests import digest
from web.security.models import Session


async def login_post(client, **headers):
    page = await client.get("/mss/login")
    return await client.post("/mss/login", headers=headers, data={
        "csrf_token": csrf_from(page.text), "login": MSS_EMAIL, "password": PASSWORD})


@pytest.mark.parametrize("headers", [
    {"Origin": "null"},  # a sandboxed iframe or a data: page of the attacker's
    {"Origin": "null", "Sec-Fetch-Site": "cross-site"},
    {"Origin": "https://testserver"},  # the right host, another scheme
    {"Origin": "http://testserver:8080"},
    {"Origin": "http://testserver.evil.example"},
])
async def test_forged_origins_are_refused(client, headers):
    await make_account()
    response = await login_post(client, **headers)
    assert response.status_code == 403
    assert not await Session.exists()


@pytest.mark.parametrize("headers", [
    {},
    {"Origin": "http://testserver"},
    {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
    # What Chromium sends for a same-origin form under Referrer-Policy: no-referrer.
    {"Origin": "null", "Sec-Fetch-Site": "same-origin"},
])
async def test_this_sites_own_forms_pass(client, headers):
    await make_account()
    response = await login_post(client, **headers)
    assert response.status_code == 303 and response.headers["location"] == "/mss/account"


@pytest.mark.parametrize("chosen", ["attacker-chosen-id", "x" * 43, "x" * 43 + ".forged"])
async def test_a_chosen_visitor_id_is_never_adopted(client, chosen):
    """A planted id would let its planter share the victim's registration draft and CSRF
    token; the guard issues its own instead."""
    await make_account()
    page = await client.get("/mss/login", headers={"Cookie": f"espace_sid={chosen}"})
    issued = client.cookies.get("espace_sid")
    assert issued and issued != chosen and f"espace_sid={issued};" in page.headers["set-cookie"]
    forged = await client.post("/mss/login", headers={"Cookie": f"espace_sid={chosen}"}, data={
        "csrf_token": csrf_from(page.text), "login": MSS_EMAIL, "password": PASSWORD})
    assert forged.status_code == 403  # the token belongs to the issued id, not the chosen one
    response = await login_post(client)
    assert response.status_code == 303
    assert not await Session.exists(id_hash=digest(chosen))


async def test_an_issued_visitor_id_is_kept(client):
    first = await client.get("/mss/register")
    sid = client.cookies.get("espace_sid")
    assert "set-cookie" in first.headers
    again = await client.get("/mss/login")
    assert client.cookies.get("espace_sid") == sid and "espace_sid" not in again.headers.get(
        "set-cookie", "")


def form_headers(**extra: bytes) -> list[tuple[bytes, bytes]]:
    headers = {b"host": b"testserver", b"content-type": b"application/x-www-form-urlencoded",
               b"accept-language": b"fr"}
    headers.update({name.replace("_", "-").encode(): value for name, value in extra.items()})
    return list(headers.items())


@pytest.mark.parametrize("header", ["origin", "host", "sec_fetch_site", "x_csrf_token"])
@pytest.mark.parametrize("value", [b"\xff", b"http://testserver\xc3", b"\xe9t\xe9"])
async def test_header_bytes_that_are_not_utf8_get_the_400_page(app, header, value):
    """What curl -H $'Origin: \\xff' sends: the rejected request's page, in the visitor's
    language and with the security headers, never a plain-text 500."""
    status, headers, body = await raw_request(
        app, "POST", "/mss/login", form_headers(**{header: value}), b"login=a&password=b")
    assert status == 400
    assert headers["content-type"].startswith("text/html")
    assert headers["content-security-policy"] and headers["x-frame-options"] == "DENY"
    assert '<html lang="fr"' in body and "La demande n'a pas pu être lue" in body


@pytest.mark.parametrize("query", [b"lang=\xff", b"next=\xff\xfe", b"lang=%ff&x=%c3"])
async def test_query_bytes_that_are_not_utf8_never_give_a_500(app, query):
    for method, body in (("GET", b""), ("POST", b"login=a")):
        status, headers, _ = await raw_request(
            app, method, "/mss/login", form_headers(), body, query_string=query)
        assert status in (200, 400, 403), (method, query, status)
        assert headers["x-content-type-options"] == "nosniff"
