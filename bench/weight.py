"""Page weight: compressed bytes of pages, static files and htmx fragments, fetched with the
Accept-Encoding Chromium sends."""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx

from bench.pages import Fragment, Page
from web.operations.demo import DEMO_PASSWORD, demo_identities

# What Chromium 156 sends, over http://127.0.0.1 too (checked through CDP).
ACCEPT_ENCODING = "gzip, deflate, br, zstd"
HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
ASSET = re.compile(r'(?:href|src)="(/static/[^"]+)"')


@dataclass
class Weight:
    name: str
    path: str
    status: int
    encoding: str
    size: int  # body bytes as sent (compressed)
    header_bytes: int = 0  # the response's header block as sent (HTTP/1.1)
    full_page: bool = False  # a fragment request answered with the whole page


def new_client(base_url: str) -> httpx.Client:
    return httpx.Client(
        base_url=base_url,
        headers={"Accept-Encoding": ACCEPT_ENCODING},
        timeout=15,
        follow_redirects=False,
    )


def weigh(client: httpx.Client, name: str, method: str, path: str, **kwargs) -> Weight:
    """One request; the size of its body exactly as it came over the wire."""
    with client.stream(method, path, **kwargs) as response:
        size = sum(len(chunk) for chunk in response.iter_raw())
    encoding = response.headers.get("content-encoding", "none")
    return Weight(name, path, response.status_code, encoding, size, header_bytes(response))


def header_bytes(response: httpx.Response) -> int:
    """The status line and header lines as they came over the wire (CRLFs included)."""
    status = len(f"HTTP/1.1 {response.status_code} {response.reason_phrase}\r\n")
    return status + sum(len(k) + len(v) + 4 for k, v in response.headers.raw) + 2


def csrf_token(client: httpx.Client, path: str) -> str:
    """Open ``path`` (following redirects) as a visitor; its CSRF token ("" when it has no
    form: a GET needs none)."""
    match = CSRF.search(client.get(path, follow_redirects=True).text)
    return match.group(1) if match else ""


def log_in(client: httpx.Client, portal: str) -> None:
    member = next(m for m in demo_identities(portal) if m.has_account)
    token = csrf_token(client, f"/{portal}/login")
    answer = client.post(
        f"/{portal}/login",
        data={"csrf_token": token, "login": member.login, "password": DEMO_PASSWORD},
    )
    if answer.status_code != 303:
        raise RuntimeError(f"demo log-in on {portal} answered {answer.status_code}")


def weigh_page(base_url: str, page: Page) -> Weight:
    with new_client(base_url) as client:
        if page.login:
            log_in(client, page.login)
        return weigh(client, page.name, "GET", page.path)


def static_assets(base_url: str) -> dict[str, Weight]:
    """app.css, htmx.min.js and app.js as the layout links them (hashed names)."""
    with new_client(base_url) as client:
        html = client.get("/mss/").text
        found = {}
        for path in ASSET.findall(html):
            name = path.rsplit("/", 1)[-1]
            plain = re.sub(r"\.[0-9a-f]{8,}\.", ".", name)  # app.1a2b3c.css -> app.css
            found[plain] = weigh(client, plain, "GET", path)
        return found


def weigh_fragment(base_url: str, fragment: Fragment) -> Weight:
    with new_client(base_url) as client:
        token = csrf_token(client, fragment.origin)
        headers = {**HTMX, "HX-Current-URL": base_url + fragment.origin}
        data = {"csrf_token": token, **dict(fragment.data)} if fragment.method == "POST" else None
        weight = weigh(
            client, fragment.name, fragment.method, fragment.path, headers=headers, data=data
        )
        again = client.request(fragment.method, fragment.path, headers=headers, data=data)
        weight.full_page = again.text.lstrip()[:15].lower().startswith("<!doctype")
        return weight
