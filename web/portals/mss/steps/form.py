"""Guide step 3: the registration form: its page, the changes saved as they are typed (htmx),
and "Where to find your UID" (what was typed is saved first)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from web.portals.drafts import find_draft
from web.portals.mss import state
from web.portals.mss.page import (
    PORTAL,
    Visit,
    keep_typed,
    register_response,
)
from web.portals.mss.state import Draft
from web.rendering import render, see_other


async def show(v: Visit) -> Response:
    """The registration page; the robot rule counts from the first time it is shown."""
    if await find_draft(v.request, PORTAL, Draft) is None:
        await v.save()
    return await register_response(v.request, v.draft, state.form_of(v.draft))


async def save(request: Request) -> Response:
    """With htmx, the changes of the form are saved a moment after the last one (static/app.js;
    nothing to show)."""
    await keep_typed(request)
    return Response(status_code=204, headers={"Cache-Control": "no-store"})


async def uid_help(request: Request) -> Response:
    """GET: where to find the UID; POST (the form's button): what was typed is saved first."""
    if request.method == "GET":
        return render(request, "mss/uid_help.html")
    await keep_typed(request)
    return see_other(request.app.url_path_for("mss:register_uid"))
