"""One helper to answer a full page, or one block of it to an htmx partial request."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from functools import cache

from babel.support import LazyProxy
from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    nodes,
    pass_eval_context,
    select_autoescape,
)
from jinja2.filters import do_xmlattr
from jinja2.nodes import EvalContext
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from web import i18n
from web.root import ROOT

# app.js sends it on every htmx request from a page showing an error summary.
PAGE_ERRORS = "Espace-Page-Errors"
VARY = f"HX-Request, HX-Request-Type, {PAGE_ERRORS}"
CONSTANT_BLOCKS_MAX = 256  # blocks kept by render(constant=…): states × languages × portals
# Stands for the visitor's CSRF token in a constant block, rendered once for every visitor: a
# raw "<" that no escaped value can write, so only csrf_field's own value is replaced by it.
CSRF_PLACEHOLDER = Markup("<csrf-token>")


def is_partial(request: Request) -> bool:
    """htmx asks for a block only with ``HX-Request-Type: partial``; history restores,
    boosted navigation and JS-off requests get the full page."""
    state = request.scope.get("state", {})
    if "partial" in state:  # read by the request guard, from the same header
        return state["partial"]
    return request.headers.get("hx-request-type") == "partial"


def page_shows_errors(request: Request) -> bool:
    """An htmx request from a page showing errors: the answer must re-render every block that
    shows them (a swap of one block would leave the others' errors on the page)."""
    return is_partial(request) and request.headers.get(PAGE_ERRORS) == "1"


@pass_eval_context
def html_attributes(eval_ctx: EvalContext, values: Mapping, autospace: bool = True) -> str:
    """Jinja's ``xmlattr`` with HTML's booleans: True writes the attribute empty
    (``formnovalidate=""``, not ``formnovalidate="True"``); False leaves it out."""
    values = {
        name: "" if value is True else None if value is False else value
        for name, value in values.items()
    }
    return do_xmlattr(eval_ctx, values, autospace)


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
    env.filters["xmlattr"] = html_attributes
    env.filters["day"] = i18n.format_day
    env.filters["timestamp"] = i18n.format_timestamp
    env.filters["clock"] = i18n.format_clock
    env.filters["delay"] = i18n.format_delay
    env.constant_blocks = {}  # see render(constant=True)
    return env


def see_other(url: str, **kwargs) -> RedirectResponse:
    """POST → 303 → GET: what every form answers without JS once it has done its work."""
    return RedirectResponse(url, status_code=303, **kwargs)


def status_partial(message: str) -> Markup:
    """Fill (or, with "", empty) the layout's polite live region from a fragment response."""
    return Markup('<hx-partial hx-target="#status" hx-swap="innerHTML">{}</hx-partial>').format(
        escape(message)
    )


@cache
def _chain(env: Environment, template: str) -> tuple[str, ...]:
    """``template`` and the templates it extends, from the child up."""
    chain = [template]
    while True:
        tree = env.parse(env.loader.get_source(env, chain[-1])[0])
        parent = next(tree.find_all(nodes.Extends), None)
        if parent is None or not isinstance(parent.template, nodes.Const):
            return tuple(chain)
        chain.append(parent.template.value)


def defines(env: Environment, template: str, block: str) -> bool:
    return any(block in env.get_template(name).blocks for name in _chain(env, template))


def render_block(env: Environment, template: str, block: str, ctx: Mapping) -> str:
    """``block`` of ``template`` as the whole page renders it: the block may be defined by a
    template it extends, and the blocks inside it are then the child's."""
    page = env.get_template(template)
    context = page.new_context(dict(ctx))
    for parent in _chain(env, template)[1:]:  # what Jinja's {% extends %} does at render time
        for name, function in env.get_template(parent).blocks.items():
            context.blocks.setdefault(name, []).append(function)
    first = context.blocks[block][0]  # KeyError: no template of the chain defines it
    try:
        return env.concat(first(context))
    except Exception:
        return env.handle_exception()


def page_title(env: Environment, template: str, ctx: Mapping) -> str | None:
    """The page's <title> for a fragment (htmx sets the document title from it), as the
    layout writes it: an "Error:" prefix when the page shows errors. None for a template that
    is not a page."""
    if not defines(env, template, "title"):
        return None
    title = render_block(env, template, "title", ctx)
    return env.get_template("page_title.html").render({**ctx, "title_text": title})


def render(
    request: Request,
    template: str,
    context: Mapping | None = None,
    *,
    block: str | None = None,
    status_code: int = 200,
    status_message: str | None = None,
    headers: Mapping[str, str] | None = None,
    overlay: bool = False,
    constant: Hashable = False,
) -> HTMLResponse:
    """Render ``template``: only ``block`` for an htmx partial request, else the whole page.

    A block swapped into the page brings the page's title (when ``template`` is a page) and
    the live region's text, ``status_message``: "" empties it (a new step: what an earlier swap
    said is not true of it), None leaves it (an echo of what is being typed must not cut off
    what was just said). ``overlay``: the block opens over the page (a dialog), whose title and
    live region stay. Without htmx ``status_message`` is the region's initial text.
    ``constant``: the block (and the page's title) read nothing but ``context``, the language,
    the portal and the visitor's CSRF token, never the request: rendered once for each, then
    reused with the visitor's token (the mss security block, answered at every pause in
    typing, shows the same few states again and again; a wizard step is the same for everyone
    who has typed nothing in it yet). True: ``context`` is plain values (strings, numbers,
    lists, dicts); or a hashable that says all that ``context`` shows, when it holds objects
    (a form).
    """
    app_state = request.app.state
    if block and is_partial(request):
        body = (_constant_partial(request, template, context, block, status_message, overlay,
                                  constant)
                if constant is not False else
                _partial(request, template, context, block, status_message, overlay).encode())
    else:
        ctx = {**app_state.template_globals(request), **(context or {})}
        ctx["status_message"] = status_message
        body = app_state.templates.get_template(template).render(ctx).encode()
    # in the constructor: each header set afterwards is a walk through the list
    return EncodedHTML(body, status_code,
                       {**(headers or {}), "Vary": VARY, "Cache-Control": "no-store"})


class EncodedHTML(HTMLResponse):
    """An HTML answer from its encoded body: Starlette's own headers (``init_headers``),
    without its constructor's checks of every argument."""

    def __init__(self, body: bytes, status_code: int, headers: Mapping[str, str]) -> None:
        self.status_code, self.background, self.body = status_code, None, body
        self.init_headers(headers)


def _partial(request: Request, template: str, context: Mapping | None, block: str,
             status_message: str | None, overlay: bool, csrf_token: str | None = None) -> str:
    env = request.app.state.templates
    ctx = {**request.app.state.template_globals(request), **(context or {})}
    ctx["status_message"] = status_message
    if csrf_token is not None:
        ctx["csrf_token"] = csrf_token
    html = render_block(env, template, block, ctx)
    if not overlay:
        html = (page_title(env, template, ctx) or "") + html
        if status_message is not None:
            html += str(status_partial(status_message))
    return html


def _constant_partial(request: Request, template: str, context: Mapping | None, block: str,
                      status_message: str | None, overlay: bool, constant: Hashable) -> bytes:
    """The block's encoded HTML; kept as the parts around the token's places, which the
    visitor's token joins (no search through the block, nor its encoding, at each answer). A
    block with no token's place is one ``SharedBody``: the same bytes for every visitor."""
    cache = request.app.state.templates.constant_blocks
    portal = request.scope["path"].split("/")[1]
    shown = frozen(context) if constant is True else constant
    key = (template, block, status_message, overlay, i18n.current_language.get(), portal, shown)
    parts = cache.get(key)
    if parts is None:
        html = _partial(request, template, context, block, status_message, overlay,
                        CSRF_PLACEHOLDER)
        parts = tuple(html.encode().split(CSRF_PLACEHOLDER.encode()))
        if len(parts) == 1:
            parts = (SharedBody(parts[0]),)
        if len(cache) < CONSTANT_BLOCKS_MAX:
            cache[key] = parts
    if len(parts) == 1:
        return parts[0]
    return html_text(request.scope.get("state", {}).get("csrf_token", "")).encode().join(parts)


class SharedBody(bytes):
    """An answer's body alike for every visitor (a constant block that holds no token): the
    compression middleware compresses it once for each encoding, not at every answer."""

    __slots__ = ()


def html_text(value: str) -> str:
    """``value`` escaped as Jinja writes it; letters and digits (a visitor's token) as they are,
    without making a Markup (which costs more than the escape)."""
    return value if value.isalnum() else str(escape(value))


PLAIN = (str, int, float, type(None))  # JSON's scalars: a value as it is (frozen, drafts)
_EXACTLY_PLAIN = frozenset({*PLAIN, bool})  # the types themselves, not their subclasses


def frozen(value):
    """``value`` (dicts, lists, strings, numbers, lazy texts) as a hashable key; TypeError for
    anything else (an object's identity would make a key that never matches)."""
    kind = type(value)
    if kind in _EXACTLY_PLAIN:  # most of them: no walk through the abstract classes' checks
        return value
    if kind is dict or isinstance(value, Mapping):
        return tuple(sorted((k, frozen(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(frozen(v) for v in value)
    if isinstance(value, LazyProxy):
        return str(value)  # the text in the current language (which the key holds too)
    if isinstance(value, PLAIN):
        return value
    raise TypeError(f"a constant block's context holds a {type(value).__name__}")
