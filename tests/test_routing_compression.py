"""The fast paths of every request: exact-path routing and one reused zstd compressor."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route

from web.compression import Compression
from web.routing import ExactPathRouter


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


async def test_every_response_gets_a_whole_zstd_frame_from_the_one_compressor():
    app = Starlette(routes=[Route("/{text}", lambda r: PlainTextResponse(
        r.path_params["text"] * 400))], middleware=[Middleware(Compression, minimum_size=256)])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        for text in ("x", "yz", "x"):
            answer = await client.get(f"/{text}", headers={"Accept-Encoding": "zstd"})
            assert answer.headers["content-encoding"] == "zstd"
            assert answer.text == text * 400  # httpx decoded the frame
