"""The fuzz suite: generated input on every form endpoint, in every state of both journeys,
with a real session and CSRF token; then raw header bytes on the request guard.

Every answer must be below 500, and nothing typed may come back unescaped. Bounded: about
2 000 generated requests in all (``EXAMPLES`` per endpoint × state pair, the raw-header
fuzz), derandomized so that a failure is the same on every run. The statuses counted are
printed in the session's terminal summary.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Awaitable, Callable
from urllib.parse import urlencode

import httpx
import pytest
from accounts_support import MSS_EMAIL, PASSWORD, make_account
from espace_prive_support import BASE, NIR, SERIAL, submit, through_contact
from espace_prive_support import CONTACT as PRIVE_CONTACT
from espace_prive_support import make_member as make_prive_member
from http_helpers import csrf_from, raw_request
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mss_support import FIELDS as MSS_FIELDS
from mss_support import Visitor, make_member

from web.mail.models import OutboxMail
from web.portals import journey
from web.security.visitors import csrf_token_for

EXAMPLES = 12  # per endpoint × state pair: 139 pairs, with the raw-header fuzz ≈ 2 000 requests
STATUSES: Counter = Counter()  # every status the suite saw, reported when the module ends

# What a reflected value looks like unescaped: a tag, or an attribute broken out of.
MARKERS = ("<fz-", '" fz-attr="', "' fz-attr='")
HOSTILE = st.sampled_from([
    "<fz-tag>", '"><fz-tag x=1>', '" fz-attr="1', "' fz-attr='1", "</textarea><fz-tag>",
    "{{ 7*7 }}", "%(name)s", "\u202e\u200b", "０００３１４１５９", "Ⅻ", "\x00\x07", "ǅ",
    "a" * 300, "-1", "99999999999999999999", "2026-02-30", "0", "",
])
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
VALUE = st.one_of(HOSTILE, TEXT, st.builds(lambda a, b: a + b, TEXT, HOSTILE))


async def nothing(client, app) -> None:
    return None


async def mss_question(client, app) -> None:
    await make_member()
    await Visitor(client).verify()


async def mss_verified(client, app) -> None:
    await make_member()
    visitor = Visitor(client)
    await visitor.verify()
    await visitor.answer_all()


async def mss_ready(client, app) -> None:
    await make_member()
    await Visitor(client).ready()


async def mss_cannot(client, app) -> None:
    await make_member(facts={"employer": "Institut Atlas des sols"})
    await Visitor(client).verify()


async def mss_registered(client, app) -> None:
    await make_member()
    visitor = Visitor(client)
    await visitor.ready()
    await visitor.register()


async def prive_identifier(client, app) -> None:
    await make_prive_member()
    await submit(client, "/profile", {"profile": "particulier"})


async def prive_verification(client, app) -> None:
    await make_prive_member()
    await through_contact(client)


async def prive_password(client, app) -> None:
    await prive_verification(client, app)
    await submit(client, "/verification", {
        "q": ["health", "card", "serial"], "health": "yes", "card_kind": "photo",
        "serial": SERIAL})


async def prive_policy(client, app) -> None:
    await prive_password(client, app)
    await submit(client, "/password")


async def logged_in(client, app) -> None:
    await make_account()
    page = await client.get("/mss/login")
    await client.post("/mss/login", data={
        "csrf_token": csrf_from(page.text), "login": MSS_EMAIL, "password": PASSWORD})


MSS_STATES = {"fresh": nothing, "question": mss_question, "verified": mss_verified,
              "ready": mss_ready, "cannot": mss_cannot, "registered": mss_registered}
MSS_FORM = (*MSS_FIELDS, "answer", "security_shown", "switch_lang", "website", "action")
MSS_ENDPOINTS = {
    "/mss/register": MSS_FORM,
    "/mss/register/save": MSS_FORM,
    "/mss/register/security": MSS_FORM,
    "/mss/register/verify": MSS_FORM,
    "/mss/register/answer": MSS_FORM,
    "/mss/register/policy": (*MSS_FORM, "action"),
    "/mss/register/uid": MSS_FORM,
    "/mss/register/resend": ("action",),
    "/mss/register/email": ("email", "email_confirm", "switch_lang"),
    "/mss/password/{token}": ("password", "confirmation", "switch_lang"),
    "/mss/password/{token}/renew": (),
}
PRIVE_STATES = {"fresh": nothing, "identifier": prive_identifier,
                "verification": prive_verification, "password": prive_password,
                "policy": prive_policy}
PRIVE_VERIFICATION = ("q", "health", "card_kind", "serial", "other", "iban", "action")
PRIVE_ENDPOINTS = {
    f"{BASE}/profile": ("profile", "action", "switch_lang"),
    f"{BASE}/identifier": ("identifier", "shown", "action", "switch_lang"),
    f"{BASE}/contact": (*PRIVE_CONTACT, "action", "switch_lang"),
    f"{BASE}/verification": PRIVE_VERIFICATION,
    f"{BASE}/verification/serial": PRIVE_VERIFICATION,
    f"{BASE}/verification/choice/health": PRIVE_VERIFICATION,
    f"{BASE}/password": ("action", "delivery"),
    f"{BASE}/terms": ("action", "accept"),
    f"{BASE}/abandon": ("action",),
}
ACCOUNT_STATES = {"anonymous": nothing, "logged-in": logged_in}
ACCOUNT_ENDPOINTS = {
    f"/{portal}/{path}": fields
    for portal in ("mss", "espace-prive")
    for path, fields in (
        ("login", ("login", "password", "switch_lang")),
        ("forgot", ("login", "email", "switch_lang")),
        ("reset/{token}", ("password", "confirmation")),
        ("password-feedback", ("password", "confirmation", "login")),
        ("account/password", ("current", "password", "confirmation")),
        ("account/new-password", ("password", "confirmation")),
        ("logout", ()),
    )
}
MSS_TYPICAL = {**MSS_FIELDS, "answer": "institut atlas", "security_shown": "1", "action": "accept"}
PRIVE_TYPICAL = {**PRIVE_CONTACT, "profile": "particulier", "identifier": NIR, "q": "serial",
                 "health": "yes", "card_kind": "photo", "serial": SERIAL, "action": "next"}
ACCOUNT_TYPICAL = {"login": MSS_EMAIL, "password": PASSWORD, "current": PASSWORD,
                   "confirmation": PASSWORD}
PAIRS = [
    (state, setup, path, fields, typical)
    for states, endpoints, typical in ((MSS_STATES, MSS_ENDPOINTS, MSS_TYPICAL),
                                       (PRIVE_STATES, PRIVE_ENDPOINTS, PRIVE_TYPICAL),
                                       (ACCOUNT_STATES, ACCOUNT_ENDPOINTS, ACCOUNT_TYPICAL))
    for state, setup in states.items()
    for path, fields in endpoints.items()
]


def form(fields: tuple[str, ...], typical: dict):
    """The endpoint's fields as a member fills them in, a few replaced by generated values or
    left out, now and then one repeated or one the endpoint does not know."""
    def build(values, dropped, extra):
        kept = [(name, typical.get(name, "") if value is None else value)
                for name, value in zip(fields, values, strict=True) if name not in dropped]
        return kept + extra
    typical_or_not = st.one_of(st.none(), st.none(), VALUE)  # hypothesis shrinks to None
    return st.builds(
        build,
        st.tuples(*[typical_or_not for _ in fields]),
        st.sets(st.sampled_from(fields), max_size=2) if fields else st.just(set()),
        st.lists(st.tuples(st.sampled_from(fields) | TEXT if fields else TEXT, VALUE),
                 max_size=2),
    )


REQUEST = st.fixed_dictionaries({
    "partial": st.booleans(),
    "token": st.sampled_from(["page", "page", "page", "none", "header", "forged"]),
    "lang": st.sampled_from(["fr", "en"]),
})


def assert_sound(response: httpx.Response) -> None:
    STATUSES[response.status_code] += 1
    assert response.status_code < 500, response.text[:500]
    for marker in MARKERS:
        assert marker not in response.text, f"unescaped {marker!r} in the answer"


def link_token(text: str) -> str:
    found = re.search(r"/(?:password|reset)/([\w-]+)", text)
    return found.group(1) if found else "not-a-token"


@pytest.mark.parametrize(("state", "setup", "path", "fields", "typical"), PAIRS,
                         ids=[f"{path}@{state}" for state, _, path, _, _ in PAIRS])
async def test_generated_forms_never_give_a_500_nor_an_unescaped_echo(
    app, client, monkeypatch, state, setup: Callable[..., Awaitable[None]], path, fields, typical
):
    monkeypatch.setattr(journey, "MIN_FILL_SECONDS", 0)
    await setup(client, app)
    mail = await OutboxMail.filter(template="set_password").first()
    url = path.replace("{token}", link_token(mail.bodies()[0]) if mail else "not-a-token")
    await client.get(url.rsplit("/", 1)[0] + "/")  # a visitor id, if the setup made none
    token = csrf_token_for(app.state.settings.secret_key, client.cookies["espace_sid"])
    loop = asyncio.get_running_loop()

    async def post(items, request):
        headers = {"Accept-Language": request["lang"]}
        if request["partial"]:
            headers.update({"HX-Request": "true", "HX-Request-Type": "partial"})
        sent = {"page": token, "header": "", "none": "", "forged": token[:-2] + "xx"}[
            request["token"]]
        if request["token"] == "header":  # noqa: S105 - where the token goes
            headers["X-CSRF-Token"] = token
        body = ([("csrf_token", sent)] if sent else []) + items
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return await client.post(url, content=urlencode(body).encode(), headers=headers)

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(items=form(fields, typical), request=REQUEST)
    def fuzz(items, request):
        assert_sound(asyncio.run_coroutine_threadsafe(post(items, request), loop).result(60))

    await asyncio.to_thread(fuzz)


HEADER_BYTES = st.binary(max_size=12) | st.sampled_from(
    [b"\xff", b"\xc3", b"\xe9t\xe9", b"null", b"http://testserver", b"\x00", b"a" * 2000])
HEADER_NAMES = st.sampled_from([b"origin", b"host", b"sec-fetch-site", b"x-csrf-token",
                                b"cookie", b"accept-language", b"content-type", b"hx-request",
                                b"hx-request-type", b"content-length", b"x-forwarded-for",
                                b"user-agent", b"referer"])


async def test_raw_header_bytes_never_give_a_500(app):
    """Header and query bytes no client library would send, on GET and POST, through the
    guard and whatever is behind it."""
    loop = asyncio.get_running_loop()

    @settings(max_examples=300, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(headers=st.lists(st.tuples(HEADER_NAMES, HEADER_BYTES), max_size=5),
           method=st.sampled_from(["GET", "POST"]),
           path=st.sampled_from(["/mss/login", "/mss/register", "/espace-prive/register/profile",
                                 "/mss/register/security", "/"]),
           query=st.binary(max_size=12))
    def fuzz(headers, method, path, query):
        base = [(b"host", b"testserver"), (b"content-type", b"application/x-www-form-urlencoded")]
        sent = dict(base)
        sent.update(headers)
        status, answered, body = asyncio.run_coroutine_threadsafe(raw_request(
            app, method, path, list(sent.items()), b"login=a&password=b", query), loop).result(60)
        STATUSES[status] += 1
        assert status < 500, (headers, query, body[:300])
        assert answered.get("x-content-type-options") == "nosniff"

    await asyncio.to_thread(fuzz)
