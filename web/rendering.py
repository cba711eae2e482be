"""One helper to answer a full page, or one block of it to an htmx partial request."""

from __future__ import annotations

from collections.abc import Mapping

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from jinja2_fragments import render_block
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from web import i18n
from web.settings import ROOT

VARY = "HX-Request, HX-Request-Type"


def is_partial(request: Request) -> bool:
    """htmx asks for a block only with ``HX-Request-Type: partial``; history restores,
    boosted navigation and JS-off requests get the full page."""
    return request.headers.get("hx-request-type") == "partial"


def make_environment() -> Environment:
    env = Environment(
        loader=ChoiceLoader(
            [FileSystemLoader(ROOT / "web" / "templates"), FileSystemLoader(ROOT / "components")]
        ),
        autoescape=select_autoescape(["html", "txt"], default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # no stat() of every template at every render; `serve` never reloads
    )
    env.install_gettext_callables(i18n.raw_gettext, i18n.raw_ngettext, newstyle=True)
    env.filters["day"] = i18n.format_day
    env.filters["timestamp"] = i18n.format_timestamp
    return env


def see_other(url: str, **kwargs) -> RedirectResponse:
    """POST → 303 → GET: what every form answers without JS once it has done its work."""
    return RedirectResponse(url, status_code=303, **kwargs)


def status_partial(message: str) -> Markup:
    """Fill the layout's polite live region from a fragment response."""
    return Markup('<hx-partial hx-target="#status" hx-swap="innerHTML">{}</hx-partial>').format(
        escape(message)
    )


def render(
    request: Request,
    template: str,
    context: Mapping | None = None,
    *,
    block: str | None = None,
    status_code: int = 200,
    status_message: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render ``template``: only ``block`` for an htmx partial request, else the whole page.

    ``status_message`` is announced through the layout's live region (a partial tag for htmx,
    the region's initial text for a full page).
    """
    app_state = request.app.state
    ctx = {**app_state.template_globals(request), **(context or {})}
    ctx["status_message"] = status_message
    if block and is_partial(request):
        html = render_block(app_state.templates, template, block, ctx)
        if status_message:
            html = str(html) + str(status_partial(status_message))
    else:
        html = app_state.templates.get_template(template).render(ctx)
    response = HTMLResponse(html, status_code=status_code, headers=dict(headers or {}))
    response.headers["Vary"] = VARY
    response.headers["Cache-Control"] = "no-store"
    return response
