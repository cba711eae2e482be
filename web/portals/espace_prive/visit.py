"""The espace-prive wizard's visit (SPEC §3, guide steps 1-7): where its pages are, how its
steps are gated and lead to the next, and its pages' rendering.

Each step is its own URL. Without JS a POST answers 303 → GET (or the page again with its
errors, 422). With htmx the form's POST answers the next page's ``step`` block with
``HX-Push-Url``; pages without the wizard form answer ``HX-Redirect`` (a full load, so the
header's language switch is right).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlencode
from weakref import WeakKeyDictionary

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from web import i18n
from web.forms import FormData, error_list
from web.i18n import gettext as _
from web.portals import journey
from web.portals.espace_prive import wizard
from web.portals.espace_prive.wizard import Draft
from web.rendering import frozen, is_partial, see_other

FORM_ID = "wizard"
FRAMES_MAX = 512  # pages × questions × ?back= × languages × portals: a few hundred
DATE_GROUP = [("birth_day", "birth_month", "birth_year")]
# Pages that are not steps of the wizard form: reached with a full load.
PLAIN_PAGES = {"contact_us", "already", "done"}
# Each step's page, as ``goto`` renders it for htmx (filled by the step modules: ``shows``).
PAGES: dict[str, Callable[..., Awaitable[HTMLResponse]]] = {}
# app → its pages' frames (``frame``): a test run builds many apps, a dropped one's go with it.
_FRAMES: WeakKeyDictionary = WeakKeyDictionary()


def shows(step: str):
    """Register the function showing ``step``'s page (``goto`` renders it for htmx)."""

    def register(function):
        PAGES[step] = function
        return function

    return register


@dataclass
class Visit(journey.Visit):
    """A request in the wizard; ``back`` is "password" when an answer is changed from the
    recap (``?back=password``): Suivant returns there."""

    back: str | None = None
    push_url: str | None = None  # goto's: the URL its htmx answer pushes (HX-Push-Url)

    def page_path(self, page: str = "", query: str = "") -> str:
        """The path of a wizard page (a step, a plain page, ``verification/<question>``),
        reversed from its route's name: ``register_<page>``."""
        page, _sep, question = page.partition("/")
        if question and question != "health":  # the first question has the step's own URL
            name = f"{self.portal.id}:register_{page}_question"
            return self.request.app.url_path_for(name, question=question) + query
        return super().page_path(page, query)

    def here(self, step: str) -> str:
        if step == "verification":
            step = f"verification/{self.question()}"
        return self.page_path(step, self.query())

    def question(self) -> str:
        return self.request.path_params.get("question") or wizard.root_question(self.draft)

    def query(self) -> str:
        return "?back=password" if self.back else ""

    def gate(self, step: str) -> Response | None:
        """Send the visitor to the first step still to answer before ``step``."""
        if self.draft.finished:
            return see_other(self.page_path("done"))
        missing = wizard.first_incomplete(self.draft, before=step)
        return see_other(self.page_path(missing)) if missing else None

    def keep(self, data: FormData, step: str) -> None:
        wizard.keep_typed(self.draft, data, wizard.STEP_FIELDS.get(step, ()))

    async def goto(self, page: str) -> Response:
        """The next page: 303 without JS; its block (HX-Push-Url) or HX-Redirect with htmx."""
        url = self.page_path(page)
        if not is_partial(self.request):
            return see_other(url)
        if page in PLAIN_PAGES:
            return Response(status_code=200, headers={"HX-Redirect": url})
        self.back, self.push_url = None, url  # the page is rendered for its own URL
        return await PAGES[page.split("/")[0]](self, page)

    def after(self, step: str) -> str:
        """Where Suivant leads: the recap when editing from it (or what its change
        re-opened)."""
        if self.back:
            return wizard.first_incomplete(self.draft, before="password") or "password"
        return wizard.next_step(step)


async def visit(request: Request) -> Visit:
    query = request.scope.get("query_string")  # most have none: no QueryParams parsed
    back = "password" if query and request.query_params.get("back") == "password" else None
    return await journey.visit(request, Draft, Visit, back=back)


def page(
    v: Visit,
    template: str,
    step: str | None,
    heading: str,
    *,
    form=None,
    errors=(),
    status: int = 200,
    here: str | None = None,
    headers: dict | None = None,
    status_message: str = "",
    constant: bool = False,
    **context,
) -> HTMLResponse:
    """A wizard page: the whole page, or its ``step`` block for htmx. ``constant``: the page
    shows nothing of the visit but ``context``'s plain values and ``form``: its block is
    rendered once for all who see it with nothing typed in the form and no error (and
    nothing they typed is kept in the cache). ``form`` may be the step's form builder
    (``wizard.<step>_form``), called with the draft only if the page is rendered from it."""
    if callable(form):
        form = (Blank(form, v.draft) if constant and not wizard.typed_in(v.draft, step)
                else form(v.draft))
    blank = isinstance(form, Blank)
    errors = list(errors) or (error_list(form, groups=DATE_GROUP)
                              if form is not None and not blank else [])
    parts = frame(v, step, heading, here)
    ctx = {**dict(parts), "form": form, **context}
    if constant and not errors and (form is None or blank or untouched(form)):
        constant = (form.build if blank else type(form), status, parts, frozen(context))
    else:
        constant = False
    if v.push_url:  # in the constructor: a header set afterwards is a walk through the list
        headers = {**(headers or {}), "HX-Push-Url": v.push_url}
    return journey.page(v.request, template, ctx, errors=errors, status=status, block="step",
                        lang_form=FORM_ID if here or step else None, headers=headers,
                        status_message=status_message, constant=constant)


def frame(v: Visit, step: str | None, heading: str, here: str | None) -> tuple:
    """What a page shows of its place in the wizard (its number, title, action and Abandonner
    link) as (name, value) pairs, a key of its constant block: worked out once for each page
    of each app (the paths are its routes') and language."""
    key = (v.portal.id, step, heading, here, v.query(), i18n.current_language.get())
    frames = _FRAMES.setdefault(v.request.app, {})
    parts = frames.get(key)
    if parts is None:
        parts = _frame(v, step, heading, here)
        if len(frames) < FRAMES_MAX:
            frames[key] = parts
    return parts


def _frame(v: Visit, step: str | None, heading: str, here: str | None) -> tuple:
    number = wizard.number(step) if step else None
    title = heading
    if number:
        title = _("Step %(current)s of %(total)s", current=number, total=wizard.TOTAL)
        title = f"{title} – {heading}"
    here_path = v.page_path(here or step or "")
    return frozen((("step", step), ("number", number), ("total", wizard.TOTAL),
                   ("heading", heading), ("page_title", title), ("action", here_path + v.query()),
                   ("abandon_url", v.page_path("abandon", "?" + urlencode({"from": here_path})))))


def untouched(form) -> bool:
    """Nothing typed in ``form`` and nothing said of it: it shows alike to every visitor."""
    return not any(field.data or field.errors or any(field.raw_data or ()) for field in form)


class Blank:
    """The step's form for a draft with nothing typed in the step, built at its first use:
    a constant block, rendered once for all who see it, has no use for it after that."""

    __slots__ = ("build", "_draft", "_form")

    def __init__(self, build: Callable, draft: Draft) -> None:
        self.build, self._draft, self._form = build, draft, None

    def __getattr__(self, name: str):
        if self._form is None:
            self._form = self.build(self._draft)
        return getattr(self._form, name)
