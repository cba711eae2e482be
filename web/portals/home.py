"""The portal list, each portal's home page and accessibility statement."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Route

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
    portal = current_portal(request)
    return render(request, f"{template_dir(portal)}/home.html")


async def accessibility(request: Request):
    return render(request, "accessibility.html")


def portal_routes() -> list[Route]:
    return [
        Route("/", portal_home, name="home"),
        Route("/accessibilite", accessibility, name="accessibility"),
    ]
