"""The yardstick: a bare Starlette + Jinja2 HTML page, no middleware, no database.
``uvicorn bench.bare_app:app`` (started by the benchmark on its own port)."""

from jinja2 import DictLoader, Environment
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1>
<ul>{% for item in items %}<li>{{ item }}</li>{% endfor %}</ul>
</main></body></html>"""

templates = Environment(loader=DictLoader({"page.html": PAGE}), autoescape=True)


async def page(request: Request) -> HTMLResponse:
    items = [f"Élément {n}" for n in range(20)]
    return HTMLResponse(templates.get_template("page.html").render(title="Bare", items=items))


app = Starlette(routes=[Route("/", page)])
