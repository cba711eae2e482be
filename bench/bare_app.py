"""The yardsticks, each served by ``uvicorn`` on its own port (started by the benchmark):

- ``bench.bare_app:app``: a bare Starlette + Jinja2 HTML page, no middleware, no database;
- ``bench.bare_app:guarded``: a bare fragment behind Espace's own compression and request guard
  (visitor cookie, CSRF and Origin checks, headers), which takes the very requests the browser
  sends to Espace's fragments (same secret key: their cookie and token hold here too);
- ``bench.bare_app:reading``: the guarded fragment after one read of the visitor's mss draft
  row (Espace's key and statement, by Python's own sqlite3, its JSON decoded) in Espace's
  SQLite database (``DATABASE_URL``): the floor of a fragment that reads the database.
"""

import json
import sqlite3
from functools import cache

from jinja2 import DictLoader, Environment
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse
from starlette.routing import Route

from web.compression import Compression
from web.db import sqlite_path
from web.portals import drafts
from web.security.guard import RequestGuard
from web.settings import Settings

PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1>
{% block list %}<ul>{% for item in items %}<li>{{ item }}</li>{% endfor %}</ul>{% endblock %}
</main></body></html>"""

templates = Environment(loader=DictLoader({"page.html": PAGE}), autoescape=True)
ITEMS = [f"Élément {n}" for n in range(20)]


async def page(request: Request) -> HTMLResponse:
    return HTMLResponse(templates.get_template("page.html").render(title="Bare", items=ITEMS))


async def fragment(request: Request) -> HTMLResponse:
    block = templates.get_template("page.html").blocks["list"]
    context = templates.get_template("page.html").new_context({"items": ITEMS})
    return HTMLResponse("".join(block(context)), headers={"Cache-Control": "no-store"})


@cache
def draft_database() -> sqlite3.Connection:
    return sqlite3.connect(sqlite_path(Settings.from_env().database_url), isolation_level=None)


async def fragment_reading_a_draft(request: Request) -> HTMLResponse:
    row = draft_database().execute(drafts._SELECT, (drafts._key(request, "mss"),)).fetchone()
    if row is None:
        raise LookupError("the visitor has no draft: the floor would leave the read out")
    json.loads(row[0])
    return await fragment(request)


def behind_the_guard(endpoint) -> Starlette:
    return Starlette(
        routes=[Route("/{path:path}", endpoint, methods=["GET", "POST"])],
        middleware=[
            Middleware(Compression, minimum_size=256),
            Middleware(
                RequestGuard,
                settings=Settings.from_env(),
                render_error=lambda scope, status: PlainTextResponse(str(status), status),
            ),
        ],
    )


app = Starlette(routes=[Route("/", page)])
guarded = behind_the_guard(fragment)
reading = behind_the_guard(fragment_reading_a_draft)
