"""The portal list, each portal's home page and accessibility statement."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Route

from web.portals.accounts.forms import login_form
from web.portals.accounts.typed import typed_login
from web.rendering import render


def current_portal(request: Request):
    """The portal whose URL space this request is in (``/<portal id>/…``)."""
    portal = request.app.state.portals.get(request.url.path.split("/")[1])
    if portal is None:
        raise HTTPException(404)
    return portal


def template_dir(portal) -> str:
    return portal.id.replace("-", "_")


async def portal_list(request: Request):
    return render(request, "portal_list.html")


async def portal_home(request: Request):
    """The home page, with its log-in form (and what was typed there before a language
    switch)."""
    portal = current_portal(request)
    form = login_form(portal)
    form.login.data = await typed_login(request, portal, "login")
    return render(request, f"{template_dir(portal)}/home.html", {"form": form})


async def accessibility(request: Request):
    return render(request, "accessibility.html")


def portal_routes() -> list[Route]:
    return [
        Route("/", portal_home, name="home"),
        Route("/accessibilite", accessibility, name="accessibility"),
    ]
