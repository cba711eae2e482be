"""Guide step 6: accept the general terms of use (the portal's policy, ``policy_version``),
which registers (``service.register``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from web.forms import FormData
from web.i18n import current_language
from web.i18n import gettext as _
from web.portals import journey
from web.portals.espace_prive import service, wizard
from web.portals.espace_prive.visit import Visit, page, shows, visit
from web.portals.espace_prive.wizard import Draft
from web.security import limits
from web.security.client import client_address


@shows("policy")
async def show(v: Visit, page_name: str = "policy", status=200, errors=(), headers=None):
    return page(v, "espace_prive/policy.html", "policy",
                _("Accept the general terms of use"), status=status, errors=errors,
                headers=headers, policy_read_url=v.page_path("policy_read"),
                policy_version=v.portal.branding.policy_version, constant=True)


async def submit(v: Visit, data: FormData) -> Response:
    try:
        delivery = await service.register(
            v.portal,
            v.draft,
            language=current_language.get(),
            links=v.request.app.state.links,
            client=client_address(v.request),
        )
    except limits.Locked as locked:
        return await show(v, status=429, headers=journey.retry_headers(locked),
                          errors=[(None, journey.registration_limit_message(locked))])
    if delivery == "already":
        v.draft = Draft(already=True)
    else:
        email = (wizard.contact_of(v.draft) or {}).get("email", "")
        v.draft = Draft(finished=wizard.Finished(delivery, email))
    await v.save()
    return await v.goto("already" if delivery == "already" else "done")


STEP = journey.Step("policy", show, submit, back="password")


async def policy(request: Request) -> Response:
    return await journey.run(await visit(request), STEP)
