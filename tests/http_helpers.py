"""Helpers for HTTP-level tests: post forms the way a browser does.

Import as ``from http_helpers import csrf_from, post_form`` (pytest puts tests/ on the path;
``conftest`` is ambiguous because components/ has one too).
"""

from __future__ import annotations

import re

import httpx

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


async def post_form(client: httpx.AsyncClient, url: str, data: dict, *, page: str | None = None,
                    headers: dict | None = None) -> httpx.Response:
    """POST a form the way a browser does: with the CSRF token of the page it came from."""
    source = await client.get(page or url)
    return await client.post(url, data={"csrf_token": csrf_from(source.text), **data},
                             headers=headers)


async def raw_request(app, method: str, path: str, headers: list[tuple[bytes, bytes]],
                      body: bytes = b"", query_string: bytes = b"") -> tuple[int, dict, str]:
    """One request as raw ASGI (bytes a client library would refuse to send): status,
    headers (last value of each name), body as text."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
        "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
        "query_string": query_string, "root_path": "", "headers": headers,
        "client": ("203.0.113.7", 51000), "server": ("testserver", 80),
    }
    sent = False
    messages = []

    async def receive():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    async def send(message):
        messages.append(message)

    await app(scope, receive, send)
    start = next(m for m in messages if m["type"] == "http.response.start")
    content = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return (start["status"], {k.decode().lower(): v.decode("latin-1") for k, v in start["headers"]},
            content.decode("utf-8", "replace"))
