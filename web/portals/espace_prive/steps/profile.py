"""Guide step 1: who you are (an individual, a company, or someone else: who to contact)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from web.forms import FormData
from web.i18n import gettext as _
from web.portals import journey
from web.portals.espace_prive import wizard
from web.portals.espace_prive.forms import OTHER, PROFILE_HINTS
from web.portals.espace_prive.visit import Visit, page, shows, visit


@shows("profile")
async def show(v: Visit, page_name: str = "profile", form=None, status=200):
    return page(v, "espace_prive/profile.html", "profile", _("Create my private space"),
                form=form or wizard.profile_form, status=status, hints=PROFILE_HINTS, constant=True)


async def submit(v: Visit, data: FormData) -> Response:
    chosen = wizard.profile_of(v.draft, data)
    await v.save()
    if chosen is None:
        form = wizard.profile_form(v.draft, data)
        form.validate()
        return await show(v, form=form, status=422)
    if chosen == OTHER:
        return await v.goto("contact_us")
    return await v.goto(v.after("profile"))


STEP = journey.Step("profile", show, submit)


async def profile(request: Request) -> Response:
    return await journey.run(await visit(request), STEP)
