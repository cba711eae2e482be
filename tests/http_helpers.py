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
