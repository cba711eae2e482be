"""Which journey each portal runs, and every portal's routes mounted under its id."""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount, Router

from web.portals import home
from web.portals.accounts import routes as account_routes
from web.routing import ExactPathRouter
from web.urls import Links


def journey_routes(portal_id: str) -> list[BaseRoute]:
    if portal_id == "mss":
        from web.portals.mss import routes
    else:
        from web.portals.espace_prive import routes
    return routes.routes()


def portal_mounts(portals: dict) -> list[Mount]:
    """Every route of each portal, mounted under /<portal id>/ and named by it: a route is
    reversed as ``url_path_for("mss:register")``."""
    return [
        Mount(
            f"/{pid}",
            app=ExactPathRouter(
                [*home.portal_routes(), *account_routes.routes(), *journey_routes(pid)]
            ),
            name=pid,
        )
        for pid in portals
    ]


def offline_links(base_url: str, portals: dict) -> Links:
    """The absolute links of these portals without an application (an operator's command)."""
    return Links(base_url, Router(portal_mounts(portals)))
