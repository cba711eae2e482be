"""The fast paths of every request: routing (remembered paths, the routes a path can match) and
one reused zstd compressor."""

from __future__ import annotations

import asyncio
import gzip

import brotli
import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from mss_support import EMAIL, Visitor
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Host, Match, Mount, Route, Router

from web import compression
from web.app import create_app
from web.compression import Compression
from web.portals.registry import portal_mounts
from web.rendering import CONSTANT_BLOCKS_MAX, SharedBody
from web.routing import ExactPathRouter
from web.settings import Settings


def _answer(text):
    async def endpoint(request):
        return PlainTextResponse(text * 100)

    return endpoint


async def test_an_exact_path_is_answered_by_its_remembered_route_and_the_method_still_counts():
    router = ExactPathRouter([
        Route("/a", _answer("a"), methods=["GET"]),
        Route("/b", _answer("b"), methods=["POST"]),
        Route("/{name}", _answer("p")),
    ])
    app = Starlette(routes=[Mount("/portal", app=router, name="portal")])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        for _ in range(2):
            assert (await client.get("/portal/a")).text.startswith("a")
            assert (await client.post("/portal/b")).text.startswith("b")
            assert (await client.get("/portal/b")).text.startswith("p")  # as Starlette
            assert (await client.get("/portal/zz")).text.startswith("p")
    assert set(router.exact) == {"/a", "/b"}  # a path with a parameter is never remembered


async def test_a_path_two_routes_match_is_remembered_only_for_the_first():
    """POST /x is the second route's (the first takes GET only): a GET after it is still the
    first route's, as Starlette chooses."""
    router = ExactPathRouter([
        Route("/x", _answer("g"), methods=["GET"]),
        Route("/x", _answer("b"), methods=["GET", "POST"]),
    ])
    app = Starlette(routes=[Mount("/portal", app=router, name="portal")])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        assert (await client.post("/portal/x")).text.startswith("b")
        assert (await client.get("/portal/x")).text.startswith("g")
        assert (await client.post("/portal/x")).text.startswith("b")


async def test_routes_added_after_answers_are_tried_as_starlette_would():
    """A test adds routes to an application made: the router learns them (and forgets what it
    remembered) instead of answering by its old table."""
    router = ExactPathRouter([Route("/a", _answer("a")), Route("/{name}/x", _answer("x"))])
    assert (await _answered(router, "/a", "GET"))[1].startswith(b"a")
    router.routes.insert(0, Route("/a", _answer("new")))
    router.routes.append(Route("/b", _answer("b")))
    assert (await _answered(router, "/a", "GET"))[1].startswith(b"new")
    assert (await _answered(router, "/b", "GET"))[1].startswith(b"b")


def _starlettes_choice(routes, scope):
    """Starlette's Router loop: the first full match, else the first partial one."""
    partial = None
    for route in routes:
        match, child_scope = route.matches(scope)
        if match is Match.FULL:
            return route, child_scope
        if match is Match.PARTIAL and partial is None:
            partial = (route, child_scope)
    return partial or (None, {})


ROUTERS = [
    *(mount.app for mount in portal_mounts({"mss": None, "espace-prive": None})),
    ExactPathRouter([
        Route("/a", _answer("a"), methods=["GET"]),
        Route("/a", _answer("b"), methods=["GET", "POST"]),
        Route("/a{b}", _answer("c")),
        Mount("/m", routes=[Route("/n", _answer("n"))]),
        Host("h.example", app=PlainTextResponse("h")),
        Route("/{name}/x", _answer("x")),
        Route("/{name:path}", _answer("p"), methods=["POST"]),
    ]),
]
TOP = create_app(Settings(env="development", secret_key="x" * 40), init_db=False)
PIECES = ["register", "verification", "card", "choice", "reset", "profile", "login", "account",
          "password", "terms", "read", "help", "identifier", "done", "a", "ab", "m", "n", "x", ""]


@given(
    path=st.lists(st.sampled_from(PIECES) | st.text(max_size=3), max_size=5).map(
        lambda parts: "/" + "/".join(parts)),
    method=st.sampled_from(["GET", "POST", "PUT"]),
)
def test_the_routes_a_path_can_match_choose_as_starlette(path, method):
    for router in ROUTERS:
        scope = {"type": "http", "path": path, "root_path": "", "method": method,
                 "path_params": {}, "headers": [(b"host", b"h.example")]}
        route, child_scope, _first = router.answering(scope, path)
        assert (route, child_scope) == _starlettes_choice(router.routes, scope)


@given(
    path=st.lists(st.sampled_from(["mss", "espace-prive", "static", "healthz", *PIECES])
                  | st.text(max_size=3), max_size=4).map(lambda parts: "/" + "/".join(parts)),
    method=st.sampled_from(["GET", "POST", "PUT"]),
)
def test_the_application_chooses_its_top_routes_as_starlette(path, method):
    """The application's own table (its portals' mounts, the home, the static files) is
    routed as a portal's is, and chooses what Starlette's loop chooses."""
    router = TOP.router
    assert isinstance(router, ExactPathRouter)
    scope = {"type": "http", "path": path, "root_path": "", "method": method,
             "path_params": {}, "headers": [(b"host", b"h.example")]}
    route, child_scope, _first = router.answering(scope, path)
    assert (route, child_scope) == _starlettes_choice(router.routes, scope)


async def _answered(app, path: str, method: str) -> tuple[int, bytes]:
    messages = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        messages.append(message)

    await app({"type": "http", "path": path, "root_path": "", "method": method,
               "headers": [(b"host", b"h.example")], "query_string": b""}, receive, send)
    return messages[0]["status"], b"".join(m.get("body", b"") for m in messages[1:])


REQUESTS = st.lists(st.tuples(st.sampled_from(["/a", "/ab", "/m/n", "/q/x", "/q", "/a/x", "/"]),
                              st.sampled_from(["GET", "POST"])), max_size=12)


@given(REQUESTS)
def test_a_remembered_path_is_answered_as_starlette_answers_it(requests):
    """Whatever came before: the same answers as Starlette's router of the same routes."""
    every = ROUTERS[-1].routes
    by_path = [route for route in every if not isinstance(route, Host)]  # remembers paths

    async def run():
        for routes in (every, by_path):
            ours, starlettes = ExactPathRouter(routes), Router(routes)
            for path, method in requests:
                assert (await _answered(ours, path, method)
                        == await _answered(starlettes, path, method))

    asyncio.run(run())


async def test_every_response_gets_a_whole_zstd_frame_from_the_one_compressor():
    app = Starlette(routes=[Route("/{text}", lambda r: PlainTextResponse(
        r.path_params["text"] * 400))], middleware=[Middleware(Compression, minimum_size=256)])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        for text in ("x", "yz", "x"):
            answer = await client.get(f"/{text}", headers={"Accept-Encoding": "zstd"})
            assert answer.headers["content-encoding"] == "zstd"
            assert answer.text == text * 400  # httpx decoded the frame


def _counting(compress, bodies: list):
    def counted(body, *args, **kwargs):
        bodies.append(bytes(body))
        return compress(body, *args, **kwargs)

    return counted


class _CountingZstd:
    real = compression.ZstdCompressor

    def __init__(self, bodies: list, level: int) -> None:
        self.compress = _counting(self.real(level=level).compress, bodies)


@pytest.mark.parametrize("encoding", ["zstd", "br", "gzip"])
async def test_a_panel_alike_for_every_visitor_is_compressed_once_per_encoding(
        app, encoding, monkeypatch):
    """The security panel's state (no token in it) is the same bytes for every visitor: its
    compressed form too, kept from the first answer; a page (the visitor's token in it) is
    compressed for each."""
    bodies = []
    monkeypatch.setattr(compression, "ZstdCompressor",
                        lambda level: _CountingZstd(bodies, level))
    monkeypatch.setattr(brotli, "compress", _counting(brotli.compress, bodies))
    monkeypatch.setattr(gzip, "compress", _counting(gzip.compress, bodies))
    answers = []
    for _visitor in range(2):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://testserver",
                                     headers={"Accept-Encoding": encoding}) as client:
            visitor = Visitor(client)
            assert (await visitor.open()).headers["content-encoding"] == encoding
            answer = await visitor.post("/mss/register/security", {"email": EMAIL},
                                        partial=True)
            assert answer.headers["content-encoding"] == encoding
            answers.append(answer.content)  # decoded by httpx
    assert answers[0] == answers[1] and b'id="verify"' in answers[0]
    assert bodies.count(answers[0]) == 1
    assert len(bodies) == 3  # each visitor's page, and the panel once


def test_the_shared_bodies_kept_are_as_many_as_the_constant_blocks():
    compressed = []
    oneshot = compression.once_for_shared_bodies(lambda body: compressed.append(body) or body)
    for number in range(CONSTANT_BLOCKS_MAX + 5):
        oneshot(SharedBody(b"%d" % number))
    compressed.clear()
    for body in (SharedBody(b"0"), SharedBody(b"%d" % (CONSTANT_BLOCKS_MAX + 1)), b"0", b"0"):
        oneshot(body)
    assert compressed == [b"%d" % (CONSTANT_BLOCKS_MAX + 1), b"0", b"0"]  # the first ones kept
