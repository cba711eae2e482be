"""The wizard's pages around its steps: S'inscrire (resume or start), who to contact, help
with the identifier, the policy (general terms of use) to read, done (guide step 7), already
registered, abandon."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from web.i18n import gettext as _
from web.portals.espace_prive import wizard
from web.portals.espace_prive.visit import page, visit
from web.rendering import render, see_other


async def start(request: Request) -> Response:
    """S'inscrire: resume the registration in progress, or start one."""
    v = await visit(request)
    if v.draft.finished or v.draft.already:
        await v.restart()
    return see_other(v.page_path(wizard.first_incomplete(v.draft) or "password"))


async def contact_us(request: Request) -> Response:
    v = await visit(request)
    return page(v, "espace_prive/contact_us.html", None, _("Who to contact"))


async def identifier_help(request: Request) -> Response:
    v = await visit(request)
    return page(v, "espace_prive/identifier_help.html", None,
                _("I do not know my social security number"))


async def policy_read(request: Request) -> Response:
    """The general terms of use: a page, or (htmx) the dialog over the policy step."""
    v = await visit(request)
    context = {"back_url": v.page_path("policy"),
               "policy_version": v.portal.branding.policy_version}
    return render(request, "espace_prive/policy_read.html", context, block="dialog",
                  overlay=True)


async def done(request: Request) -> Response:
    v = await visit(request)
    finished = v.draft.finished
    if finished is None:
        return see_other(v.page_path())
    return page(v, "espace_prive/done.html", None, _("Registration complete"),
                postal=finished.delivery == "postal", email=finished.email)


async def already(request: Request) -> Response:
    v = await visit(request)
    return page(v, "espace_prive/already.html", None, _("You already have a private space"))


async def abandon(request: Request) -> Response:
    """Abandonner: a confirmation page (a dialog with htmx); confirming deletes the draft."""
    v = await visit(request)
    if request.method == "POST":
        await v.restart()
        return see_other(request.app.url_path_for(f"{v.portal.id}:home") + "?abandoned=1")
    came_from = request.query_params.get("from", "")
    if not came_from.startswith(v.page_path() + "/") or not _plain_path(came_from):
        came_from = v.page_path()
    context = {"back_url": came_from, "action": v.page_path("abandon")}
    return render(request, "espace_prive/abandon.html", context, block="dialog", overlay=True)


def _plain_path(path: str) -> bool:
    """A local path of letters, digits, / and - only (never an open redirect)."""
    return all(c.isascii() and (c.isalnum() or c in "/-") for c in path) and "//" not in path
