"""The portal list, each portal's home page and accessibility statement."""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Route

from web.portals.accounts.forms import login_form
from web.portals.accounts.typed import typed_login
from web.rendering import render


def current_portal(request: Request):
    """The portal whose URL space this request is in (``/<portal id>/…``)."""
    # the scope's path: request.url would build the whole URL (host, query) to read it
    portal = request.app.state.portals.get(request.scope["path"].split("/")[1])
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
    """The statement, with the suite's last automated audit of this portal."""
    portal = current_portal(request)
    audit = audit_results()
    return render(request, "accessibility.html", {
        "audit": audit.get("portals", {}).get(portal.id),
        "audit_date": date.fromisoformat(audit["date"]) if audit.get("date") else None,
        "audit_tags": audit.get("axe_tags", []),
        "tools": audit.get("tools", {}),
        "applicable": [rule for rule, counts in audit.get("portals", {}).get(portal.id, {})
                       .get("rules", {}).items() if counts["passed"] or counts["failed"]],
    })


@cache
def audit_results() -> dict:
    """web/portals/accessibility.json: written by `python -m e2e.audit` after an e2e run."""
    path = Path(__file__).with_name("accessibility.json")
    return json.loads(path.read_text()) if path.exists() else {}


def portal_routes() -> list[Route]:
    return [
        Route("/", portal_home, name="home"),
        Route("/accessibilite", accessibility, name="accessibility"),
    ]
