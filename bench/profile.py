"""``python -m bench.profile``: the CPU cost of each fragment request, in process.

Wall-clock requests per second swing with the shared machine's load; CPU time per request does
much less. The application (migrated SQLite file, as ``make serve``) and the two yardsticks of
bench/bare_app.py are called as raw ASGI, without a server, with the headers and forms a
browser sends (bench/capture.py): the figures leave out uvicorn's own cost, the same for every
request. ``--profile NAME`` prints cProfile's top functions for one of them; ``--only NAME``
measures one of them between two calls of ``getpgrp()``, for a count of instructions that no
load changes::

    valgrind --tool=callgrind --dump-before=getpgrp --callgrind-out-file=/tmp/cg.%p \
        .venv/bin/python -m bench.profile --only "panel: shown" --count 200
    # instructions per request: the ``summary:`` of the file ending in .2, divided by 200
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from tests.http_helpers import raw_request

ORIGIN = "http://127.0.0.1:8000"
BROWSER = [
    (b"host", b"127.0.0.1:8000"),
    (b"user-agent", b"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                    b"Chrome/131.0.0.0 Safari/537.36"),
    (b"accept-language", b"fr-FR,fr;q=0.9"),
    (b"accept-encoding", b"gzip, deflate, br, zstd"),
    (b"sec-ch-ua-platform", b'"Linux"'),
    (b"sec-fetch-site", b"same-origin"),
    (b"sec-fetch-mode", b"cors"),
    (b"sec-fetch-dest", b"empty"),
]


def htmx(page: str, *sent: tuple[bytes, bytes]) -> list[tuple[bytes, bytes]]:
    """The headers htmx sends for a request from ``page``, with what else the browser sent."""
    return [(b"accept", b"text/html"), (b"hx-request", b"true"),
            (b"hx-request-type", b"partial"), (b"hx-current-url", ORIGIN.encode() + page.encode()),
            (b"origin", ORIGIN.encode()), *sent]


HTMX = htmx("/mss/register", (b"referer", ORIGIN.encode() + b"/mss/register"),
            (b"content-type", b"application/x-www-form-urlencoded"))
# What Chromium adds to the wizard form's POST (bench/capture.py, "espace-prive step 1 → 2"): no
# Referer, a form's fetch (same-origin), the form htmx took it from and where the answer goes.
WIZARD = htmx("/espace-prive/register/profile", (b"accept-language", b"fr"),
              (b"content-type", b"application/x-www-form-urlencoded;charset=UTF-8"),
              (b"hx-source", b"form#wizard"), (b"hx-target", b"main#main"),
              (b"sec-fetch-mode", b"same-origin"))

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
FORM = {"uid": "000000042", "first_names": "Jean-Baptiste Marie",
        "last_name": "de La Tour d'Auvergne", "birth_day": "29", "birth_month": "2",
        "birth_year": "1948", "email_confirm": ""}


def form_body(token: str, **fields) -> bytes:
    return urlencode({"csrf_token": token, **FORM, **fields}).encode()


class Changing:
    """A save whose first name differs every time (as a member typing)."""

    def __init__(self, token: str) -> None:
        self.token, self.count = token, 0

    def __call__(self) -> bytes:
        self.count += 1
        return form_body(self.token, first_names=f"Jean{self.count}", email="jb@example.org")


async def visitor(app, path: str) -> tuple[bytes, str]:
    """The cookie and CSRF token a new visitor gets with the page at ``path``."""
    plain = [h for h in BROWSER if h[0] != b"accept-encoding"]
    _status, sent, page = await raw_request(app, "GET", path, [*plain, (b"accept", b"text/html")])
    return sent["set-cookie"].split(";")[0].encode(), CSRF_RE.search(page).group(1)


def wizard_step(app, cookie: bytes, token: str) -> tuple:
    """The espace-prive step 1 POST (Individual, Suivant) that answers with step 2, as
    Chromium sends it: its draft is kept at the first, then read and left as it is."""
    own = {name for name, _value in WIZARD}
    headers = [*(h for h in BROWSER if h[0] not in own), *WIZARD, (b"cookie", cookie)]
    body = urlencode({"csrf_token": token, "profile": "particulier", "action": "next"}).encode()
    return (app, "POST", "/espace-prive/register/profile", headers, body)


async def requests(app) -> dict:
    """name → (app, method, path, headers, body or a callable making it)."""
    from bench.bare_app import app as bare_page
    from bench.bare_app import guarded, reading

    cookie, token = await visitor(app, "/mss/register")
    headers = [*BROWSER, *HTMX, (b"cookie", cookie + b"; lang=fr")]
    valid = form_body(token, email="jeanne.martin@example.org")
    return {
        "bare page": (bare_page, "GET", "/", BROWSER, b""),
        "guarded bare fragment": (guarded, "POST", "/mss/register/security", headers, valid),
        "guarded + one draft read": (reading, "POST", "/mss/register/security", headers, valid),
        "panel: no valid email": (app, "POST", "/mss/register/security", headers,
                                  form_body(token, email="jeanne.martin@")),
        "panel: a valid email": (app, "POST", "/mss/register/security", headers, valid),
        "panel: shown": (app, "POST", "/mss/register/security", headers,
                         form_body(token, email="jeanne.martin@example.fr", security_shown="1")),
        "save: same value": (app, "POST", "/mss/register/save", headers, valid),
        "save: new value": (app, "POST", "/mss/register/save", headers, Changing(token)),
        "espace-prive: step 1→2": wizard_step(app, *await visitor(
            app, "/espace-prive/register/profile")),
    }


async def cost(target, count: int) -> float:
    """CPU µs per request over ``count`` requests (after a warm-up); the bodies are made
    before the clock starts (the load generator makes them, not the server)."""
    app, method, path, headers, body = target
    make = body if callable(body) else lambda: body
    for _ in range(20):
        await raw_request(app, method, path, headers, make())
    bodies = [make() for _ in range(count)]
    started = time.process_time()
    for sent in bodies:
        await raw_request(app, method, path, headers, sent)
    return (time.process_time() - started) / count * 1e6


async def main(count: int, profile: str | None, sort: str, only: str | None) -> None:
    from web.app import create_app
    from web.settings import Settings

    app = create_app(Settings.from_env())
    async with app.router.lifespan_context(app):
        targets = await requests(app)
        if profile:
            target = targets[profile]
            await cost(target, 20)
            profiler = cProfile.Profile()
            profiler.enable()
            await cost(target, count)
            profiler.disable()
            pstats.Stats(profiler).sort_stats(sort).print_stats(45)
            return
        if only:
            await cost(targets[only], 20)
            os.getpgrp()  # callgrind's mark (--dump-before=getpgrp)
            micros = await cost(targets[only], count)
            os.getpgrp()
            print(f"{only}: {micros:.0f} µs")
            return
        costs = {name: await cost(target, count) for name, target in targets.items()}
    page, guarded = costs["bare page"], costs["guarded bare fragment"]
    print(f"load average {os.getloadavg()[0]:.2f}; CPU µs per request, in process")
    for name, micros in costs.items():
        print(f"{name:28} {micros:8.0f} µs   × guarded {guarded / micros:5.2f}"
              f"   × bare page {page / micros:5.2f}")


def migrated_database(folder: Path) -> str:
    url = f"sqlite://{folder / 'espace.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": url, "LANG": "C.UTF-8"}
    subprocess.run([sys.executable, "-m", "web.cli", "migrate"], env=env, check=True,  # noqa: S603
                   capture_output=True)
    return url


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2000, help="requests per figure")
    parser.add_argument("--profile", help="name of one request to profile (cProfile)")
    parser.add_argument("--only", help="name of one request to measure alone (callgrind)")
    parser.add_argument("--sort", default="cumulative", help="cProfile's order (tottime…)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="espace-profile-") as folder:
        os.environ.update(ESPACE_ENV="development", MAIL_URL="mailbox:", BASE_URL=ORIGIN,
                          DATABASE_URL=migrated_database(Path(folder)))
        asyncio.run(main(args.count, args.profile, args.sort, args.only))
