"""Guide step 3: the registration form: its page, the changes saved as they are typed (htmx),
and "Where to find your UID" (what was typed is saved first)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from web.forms import FormData, read_form
from web.portals import journey
from web.portals.drafts import find_draft
from web.portals.mss import state
from web.portals.mss.page import PORTAL, Visit, register_response, visit
from web.portals.mss.state import Draft
from web.rendering import render


async def show(v: Visit) -> Response:
    """The registration page; the robot rule counts from the first time it is shown."""
    if await find_draft(v.request, PORTAL, Draft) is None:
        await v.save()
    return await register_response(v.request, v.draft, state.form_of(v.draft))


async def save(request: Request) -> Response:
    """With htmx, the form's changes are saved a moment after the last one (static/app.js;
    nothing to show). The outline's keep and nothing else: a save is never a language switch
    nor Précédent."""
    v = await visit(request)
    v.keep(await read_form(request), "save")
    await v.save()
    return Response(status_code=204, headers={"Cache-Control": "no-store"})


async def uid_page(v: Visit) -> Response:
    return render(v.request, "mss/uid_help.html")


async def uid_saved(v: Visit, data: FormData) -> Response:
    await v.save()
    return await v.goto("uid")


# GET: where to find the UID; POST (the form's button): what was typed is saved first.
UID = journey.Step("uid", uid_page, uid_saved)


async def uid_help(request: Request) -> Response:
    return await journey.run(await visit(request), UID)
