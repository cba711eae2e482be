"""The journey kit: what every registration journey needs, written once for both portals.

A guide step is a ``Step`` (what it keeps of a POST, where Précédent leads, how its page is
shown and its form taken) that ``run`` takes through the one outline: visit → gate → GET →
read the form → keep what was typed → language switch or Précédent → the step's own submit.
Every POST keeps what was typed in the draft before validating it, so a reload, Précédent and
the language switch lose nothing. The rules below are one constant each, for both journeys.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from web.accounts import service as accounts
from web.clock import now
from web.forms import FormData, read_form
from web.i18n import format_delay
from web.i18n import gettext as _
from web.portals.drafts import delete_draft, load_draft, save_draft
from web.portals.home import current_portal
from web.rendering import is_partial, render, see_other
from web.security import limits

# A person cannot fill a journey's form in less from the draft's start: a robot can (the
# draft's start, not the page's: a refusal does not restart the wait, and nothing signed has
# to travel in the form). ESPACE_MIN_FILL_SECONDS sets it for a test server.
MIN_FILL_SECONDS = 3
# An account this recent, for the same registration, is that registration sent twice (a
# double click, a reload of the POST): it answers as the first one did.
DOUBLE_SUBMIT = timedelta(minutes=2)


@dataclass
class Visit:
    """One request in a journey: the portal and the visitor's typed draft. A portal's visit
    says how its steps are gated, what they keep of a POST, and where they lead."""

    request: Request
    portal: object
    draft: object
    kind: type = field(repr=False, default=object)

    async def save(self) -> None:
        await save_draft(self.request, self.portal.id, self.draft)

    async def save_typed(self, data: FormData, step: Step) -> None:
        """Save what ``step``'s POST typed without writing back the rest of the draft as this
        request read it: a draft written since (a request of the visitor's served meanwhile,
        by another process: the verification Suivant made) gets what was typed kept again."""
        if await save_draft(self.request, self.portal.id, self.draft, if_unchanged=True):
            return
        self.draft = await load_draft(self.request, self.portal.id, self.kind)
        keep_what_was_typed(self, data, step)
        await self.save()

    async def restart(self) -> None:
        """A new draft in place of this one (deleted)."""
        await delete_draft(self.request, self.portal.id)
        self.draft = self.kind()

    def page_path(self, page: str = "", query: str = "") -> str:
        """The path of a journey page, reversed from its route's name:
        ``<portal>:register_<page>``."""
        name = f"{self.portal.id}:register" + (f"_{page}" if page else "")
        return self.request.app.url_path_for(name) + query

    def here(self, step: str) -> str:
        """The path the language switch reloads on ``step``'s page."""
        return self.page_path(step)

    def gate(self, step: str) -> Response | None:
        """Where to go instead of ``step`` (an earlier step still to answer), or None."""
        return None

    def keep(self, data: FormData, step: str) -> None:
        """Keep what ``step``'s POST typed in the draft, before any validation."""

    async def goto(self, page: str) -> Response:
        return see_other(self.page_path(page))


async def visit(request: Request, kind: type, visit_class: type = Visit, **extra) -> Visit:
    portal = current_portal(request)
    draft = await load_draft(request, portal.id, kind)
    return visit_class(request, portal, draft, kind, **extra)


@dataclass(frozen=True)
class Step:
    """A guide step's own parts: ``run`` takes them through the outline."""

    name: str
    show: Callable[[Visit], Awaitable[Response]]
    submit: Callable[[Visit, FormData], Awaitable[Response]] | None = None  # None: GET only
    back: Callable[[Visit], str | None] | str | None = None  # where Précédent leads
    gate: Callable[[Visit], Response | None] | None = None  # instead of the visit's gate
    keep: Callable[[Visit, FormData], None] | None = None  # instead of the visit's keep


async def run(v: Visit, step: Step) -> Response:
    """The outline of every step: gate → GET shows → POST keeps what was typed → language
    switch or Précédent → the step's submit."""
    if blocked := (step.gate(v) if step.gate else v.gate(step.name)):
        return blocked
    if v.request.method == "GET" or step.submit is None:
        return await step.show(v)
    data = await read_form(v.request)
    keep_what_was_typed(v, data, step)
    if exit_ := await early_exit(v, data, step):
        return exit_
    return await step.submit(v, data)


def keep_what_was_typed(v: Visit, data: FormData, step: Step) -> None:
    """Keep what ``step``'s POST typed in the draft: the step's own way, else the visit's."""
    if step.keep:
        step.keep(v, data)
    else:
        v.keep(data, step.name)


async def early_exit(v: Visit, data: FormData, step: Step) -> Response | None:
    """Language switch and Précédent: save what was typed, without validating it."""
    if data.get("switch_lang"):
        await v.save()
        return reload(v.request, v.here(step.name))
    if data.get("action") == "back" and (
            back := step.back(v) if callable(step.back) else step.back):
        await v.save()
        return await v.goto(back)
    return None


def reload(request: Request, url: str) -> Response:
    """The same page again, in full (after a language switch the whole page changes)."""
    if is_partial(request):
        return Response(status_code=200, headers={"HX-Redirect": url})
    return see_other(url)


# -- the rules ------------------------------------------------------------------------------------


def too_fast(request: Request, draft) -> bool:
    """The robot rule: ``draft`` (with its ``started``) sent sooner than a person could."""
    seconds = request.app.state.settings.fill_seconds(MIN_FILL_SECONDS)
    return now() - draft.started < timedelta(seconds=seconds)


def sent_twice(created_at) -> bool:
    """The double-submit rule: an account created this recently is this registration's."""
    return now() - created_at < DOUBLE_SUBMIT


async def admit_registration(client: str) -> limits.Attempt:
    """The registration rate limit of a client address (``limits.Locked`` when it is spent):
    the caller counts the attempt once an account is created, else refunds it."""
    return await limits.admit(accounts.registration_rules(client))


def registration_limit_message(locked: limits.Locked) -> str:
    return _(
        "Too many registrations were made from your connection. Try again in %(delay)s.",
        delay=format_delay(locked.retry_after),
    )


def retry_headers(locked: limits.Locked | None) -> dict:
    """What a lockout's answer tells the client: when to try again (its text says
    ``format_delay(locked.retry_after)``, rounded up: never sooner than the lock ends)."""
    return {"Retry-After": str(locked.retry_after)} if locked else {}


# -- rendering ------------------------------------------------------------------------------------


def page(
    request: Request,
    template: str,
    context: dict | None = None,
    *,
    errors=(),
    status: int = 200,
    block: str | None = None,
    lang_form: str | None = None,
    locked: limits.Locked | None = None,
    headers: dict | None = None,
    status_message: str | None = "",
    constant: Hashable = False,
) -> HTMLResponse:
    """A journey's page (or its ``block`` for htmx) with its error summary; ``lang_form`` is
    the form the language switch sends, so that what was typed is kept; ``constant``: see
    ``render``."""
    errors = list(errors)
    ctx = {"errors": errors, "page_error": bool(errors) or status >= 400, **(context or {})}
    if lang_form:
        ctx["lang_form_id"] = lang_form
    return render(request, template, ctx, block=block, status_code=status,
                  status_message=status_message,
                  headers={**retry_headers(locked), **(headers or {})}, constant=constant)


def fragment(
    request: Request,
    template: str,
    block: str,
    context: dict | None = None,
    *,
    status_message: str | None = None,
    overlay: bool = False,
    headers: dict | None = None,
    constant: bool = False,
) -> HTMLResponse:
    """One block of a page, for htmx (the whole page without it); ``constant``: see
    ``render``."""
    return render(request, template, context, block=block, status_message=status_message,
                  overlay=overlay, headers=headers, constant=constant)
