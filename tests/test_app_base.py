"""The application's base: pages, headers, errors, languages, CSRF and the body limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl

import pytest
from http_helpers import csrf_from
from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st
from starlette.responses import Response
from starlette.routing import Route

from web.forms import read_form
from web.portals.models import RegistrationDraft
from web.security.guard import MAX_FIELDS, form_fields
from web.security.visitors import csrf_token_for, new_visitor_id, visitor_token


async def test_portal_list_is_french_by_default(client):
    response = await client.get("/")
    assert response.status_code == 200
    assert '<html lang="fr">' in response.text
    assert "Espace Client" in response.text and "Mon espace privé" in response.text


async def test_portal_list_links_each_accessibility_statement(client):
    footer = (await client.get("/")).text.split("<footer")[1]
    assert 'href="/mss/accessibilite"' in footer and 'href="/espace-prive/accessibilite"' in footer


async def test_accept_language_english(client):
    response = await client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9,fr;q=0.5"})
    assert '<html lang="en">' in response.text


async def test_explicit_choice_is_remembered(client):
    response = await client.get("/?lang=en", headers={"Accept-Language": "fr"})
    assert '<html lang="en">' in response.text
    assert "lang=en" in response.headers["set-cookie"]
    again = await client.get("/", headers={"Accept-Language": "fr"})
    assert '<html lang="en">' in again.text


async def test_unknown_language_is_ignored(client):
    response = await client.get("/?lang=xx%3Cscript%3E")
    assert response.status_code == 200
    assert '<html lang="fr">' in response.text


async def test_security_headers(client):
    response = await client.get("/")
    headers = response.headers
    assert headers["content-security-policy"].startswith("default-src 'self'; object-src 'none'")
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["cache-control"] == "no-store"
    assert headers["vary"].startswith("HX-Request, HX-Request-Type")
    assert "strict-transport-security" not in headers  # development


async def test_hsts_and_host_cookie_in_production(db):
    import httpx

    from web.app import create_app
    from web.settings import Settings

    settings = Settings(env="production", secret_key="x" * 40, base_url="https://espace.example.org",
                        mail_url="smtp://127.0.0.1:2525", proxy_addresses=("10.0.0.1",))
    app = create_app(settings, init_db=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as http:
        response = await http.get("/")
    assert response.headers["strict-transport-security"].startswith("max-age=")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-espace_sid=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


async def test_not_found_is_localized(client):
    response = await client.get("/nowhere")
    assert response.status_code == 404
    assert "Page introuvable" in response.text
    english = await client.get("/nowhere?lang=en")
    assert "Page not found" in english.text


async def test_method_not_allowed_page(client):
    token = csrf_from((await client.get("/mss/login")).text)
    response = await client.request("DELETE", "/mss/", headers={"X-CSRF-Token": token})
    assert response.status_code == 405
    assert "Action non autorisée" in response.text


async def test_post_with_a_token_of_another_visitor_is_refused(client):
    token = csrf_from((await client.get("/mss/login")).text)
    client.cookies.clear()
    response = await client.post("/mss/login", data={"csrf_token": token},
                                 headers={"HX-Request": "true", "HX-Request-Type": "partial"})
    assert response.status_code == 403 and response.headers["hx-retarget"] == "#main"


async def test_post_from_another_origin_is_refused(client):
    token = csrf_from((await client.get("/mss/login")).text)
    response = await client.post("/mss/login", data={"csrf_token": token},
                                 headers={"Origin": "https://evil.example"})
    assert response.status_code == 403


async def test_post_without_csrf_is_refused(client):
    response = await client.post("/mss/", data={"anything": "1"})
    assert response.status_code == 403
    assert "formulaire" in response.text


async def test_post_from_another_site_is_refused(client):
    page = await client.get("/")
    response = await client.post("/mss/", data={"csrf_token": "x"},
                                 headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403
    assert page.status_code == 200


async def test_body_over_64_kib_is_refused(client):
    response = await client.post("/mss/", content=b"a=" + b"x" * (65 * 1024),
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413
    assert "Trop de données envoyées" in response.text


async def test_chunked_body_over_64_kib_is_refused(client):
    async def chunks():
        for _ in range(70):
            yield b"x" * 1024

    response = await client.post("/mss/", content=chunks(),
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert "content-length" not in response.request.headers
    assert response.status_code == 413


async def test_static_assets_are_hashed_and_immutable(client, app):
    url = app.state.assets.url("app.css")
    assert url.startswith("/static/app.") and url.endswith(".css")
    response = await client.get(url)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert (await client.get("/static/app.css")).status_code == 404


async def test_pages_are_compressed(client):
    response = await client.get("/", headers={"Accept-Encoding": "br"})
    assert response.headers.get("content-encoding") == "br"


async def test_unexpected_error_gets_a_localized_500_page(app):
    import httpx
    from starlette.routing import Route

    async def boom(request):
        raise RuntimeError("boom")

    app.router.routes.append(Route("/boom", boom))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.get("/boom", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.text
    assert "RuntimeError" not in response.text
    assert response.headers["content-security-policy"].startswith("default-src 'self'")


async def test_locked_gives_a_429_page_with_retry_after(app):
    from datetime import UTC, datetime, timedelta

    import httpx
    from starlette.routing import Route

    from web.security.limits import Locked

    async def locked(request):
        raise Locked(datetime.now(UTC) + timedelta(minutes=30))

    app.router.routes.append(Route("/locked", locked))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.get("/locked")
    assert response.status_code == 429
    assert 1700 < int(response.headers["retry-after"]) <= 1800
    assert "Trop de tentatives" in response.text


async def test_static_files_never_carry_a_visitor_cookie(client, app):
    response = await client.get(app.state.assets.url("htmx.min.js"))
    assert response.status_code == 200 and "immutable" in response.headers["cache-control"]
    assert "set-cookie" not in response.headers


async def test_a_registration_starting_sends_the_visitor_cookie_again(client):
    first = await client.get("/")
    assert "Max-Age=604800" in first.headers["set-cookie"]  # a week: longer than any draft
    sid = client.cookies["espace_sid"]
    assert "set-cookie" not in (await client.get("/")).headers
    started = await client.get("/mss/register")  # the draft is created
    assert f"espace_sid={sid};" in started.headers["set-cookie"]  # same id, new life
    assert "set-cookie" not in (await client.get("/mss/register")).headers


async def test_post_from_the_public_address_is_accepted_behind_a_proxy(client, settings):
    """A proxy may rewrite Host: the browser's Origin is then the public BASE_URL."""
    token = csrf_from((await client.get("/mss/login")).text)
    response = await client.post("/mss/login", data={"csrf_token": token, "login": "x"},
                                 headers={"Origin": settings.base_url.rstrip("/")})
    assert response.status_code == 422


async def test_a_form_of_too_many_fields_is_refused(client):
    token = csrf_from((await client.get("/mss/login")).text)
    body = f"csrf_token={token}&" + "&".join(f"f{n}=1" for n in range(1001))
    response = await client.post("/mss/login", content=body.encode(),
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400


async def test_repeated_fields_reach_the_route_in_order(client, app):
    """The guard parses the body once; the route reads the same fields (repeats included)."""
    seen = {}

    async def echo(request):
        seen["q"] = (await read_form(request)).getlist("q")
        return Response(status_code=204)

    app.router.routes.insert(0, Route("/echo", echo, methods=["POST"]))
    token = csrf_from((await client.get("/mss/login")).text)
    await client.post("/echo", content=f"csrf_token={token}&q=a&q=b%20c&q=".encode(),
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert seen["q"] == ["a", "b c", ""]


async def test_a_malformed_cookie_header_is_read_leniently(client):
    response = await client.get("/", headers={"Cookie": '=; ;"x; lang=en; \x7f=\x01'})
    assert response.status_code == 200 and '<html lang="en">' in response.text


async def test_a_redirect_carries_only_the_headers_that_act_on_the_next_request(client):
    token = csrf_from((await client.get("/mss/register")).text)
    redirect = await client.post("/mss/register/policy", data={"csrf_token": token,
                                                               "action": "read"})
    assert redirect.status_code == 303
    assert redirect.headers["referrer-policy"] == "no-referrer"
    for name in ("content-security-policy", "x-frame-options", "permissions-policy"):
        assert name not in redirect.headers
    page = await client.get(redirect.headers["location"])
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert page.headers["x-frame-options"] == "DENY"


async def test_a_registration_started_again_after_its_draft_expired_renews_the_cookie(client):
    await client.get("/mss/register")  # draft created
    await RegistrationDraft.all().update(expires_at=datetime.now(UTC) - timedelta(minutes=1))
    again = await client.get("/mss/register")
    assert "espace_sid=" in again.headers.get("set-cookie", "")
    assert await RegistrationDraft.filter(expires_at__gt=datetime.now(UTC)).count() == 1


DOCUMENT_ONLY = ("content-security-policy", "x-frame-options", "permissions-policy")


async def test_a_partial_answer_leaves_off_the_headers_that_act_only_on_a_document(client):
    token = csrf_from((await client.get("/mss/register")).text)
    partial = await client.post(
        "/mss/register/security",
        data={"csrf_token": token, "email": "jeanne.martin@example.org"},
        headers={"HX-Request": "true", "HX-Request-Type": "partial"},
    )
    assert partial.status_code == 200 and "<!doctype" not in partial.text.lower()
    for name in DOCUMENT_ONLY:
        assert name not in partial.headers
    assert partial.headers["x-content-type-options"] == "nosniff"
    assert partial.headers["referrer-policy"] == "no-referrer"
    # A request htmx makes for a whole page (history restore, boosted link) is a document.
    restored = await client.get("/mss/register", headers={"HX-Request": "true",
                                                          "HX-History-Restore-Request": "true"})
    for name in DOCUMENT_ONLY:
        assert name in restored.headers


FORM_TEXT = st.text(alphabet=st.sampled_from("ab=&+%2F0é %zC3A9;"), max_size=40)


@examples(max_examples=500, derandomize=True, database=None)
@given(FORM_TEXT)
def test_the_guard_reads_a_form_field_for_field_as_urllib_does(text):
    assert form_fields(text) == parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)


def test_the_guard_refuses_the_same_number_of_fields_as_urllib():
    assert len(form_fields("&" * (MAX_FIELDS - 1))) == 0
    with pytest.raises(ValueError):
        form_fields("&" * MAX_FIELDS)
    with pytest.raises(ValueError):
        parse_qsl("&" * MAX_FIELDS, keep_blank_values=True, max_num_fields=MAX_FIELDS)


def test_a_visitors_check_is_worked_out_once_and_gives_what_a_fresh_one_gives():
    key = "k" * 40
    sid = new_visitor_id(key)
    hits = visitor_token.cache_info().hits
    assert visitor_token(key, sid) == visitor_token(key, sid) == csrf_token_for(key, sid)
    assert visitor_token.cache_info().hits == hits + 1
    forged = sid[:-1] + ("A" if sid[-1] != "A" else "B")
    assert visitor_token(key, forged) is None and visitor_token(key, "x" + sid) is None
    assert visitor_token("o" * 40, sid) is None  # another server's key
