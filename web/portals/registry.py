"""Which journey each portal runs."""

from __future__ import annotations

from starlette.routing import BaseRoute


def journey_routes(portal_id: str) -> list[BaseRoute]:
    if portal_id == "mss":
        from web.portals.mss import routes
    else:
        from web.portals.espace_prive import routes
    return routes.routes()
