"""Guide step 5: the privacy policy and terms of use, read in a dialog (a page without JS) and
accepted."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from web.clock import now
from web.forms import read_form
from web.i18n import gettext as _
from web.portals import journey
from web.portals.drafts import load_draft, save_draft
from web.portals.home import current_portal
from web.portals.mss import state
from web.portals.mss.page import (
    PORTAL,
    register_response,
    take_form,
)
from web.portals.mss.state import Draft
from web.rendering import is_partial, page_shows_errors, see_other


async def policy(request: Request) -> Response:
    if request.method == "GET":
        return journey.fragment(request, "mss/policy.html", "dialog", overlay=True)
    data = await read_form(request)
    action = data.get("action")
    if action == "read" or data.get("switch_lang"):
        await take_form(request)
        if data.get("switch_lang"):
            return journey.reload(request, request.app.url_path_for("mss:register"))
        if is_partial(request):
            return journey.fragment(request, "mss/policy.html", "dialog", overlay=True)
        return see_other(request.app.url_path_for("mss:register_policy"))
    draft = await load_draft(request, PORTAL, Draft)
    if action != "accept":
        return see_other(request.app.url_path_for("mss:register") + "#policy")
    draft.policy = state.Policy(current_portal(request).branding.policy_version, now())
    await save_draft(request, PORTAL, draft)
    if not is_partial(request):
        return see_other(request.app.url_path_for("mss:register") + "#policy")
    message = _("You have accepted the privacy policy and terms of use.")
    if page_shows_errors(request):
        return await register_response(
            request, draft, state.form_of(draft), block="register", status_message=message
        )
    return journey.fragment(request, "mss/register.html", "policy", {"policy_accepted": True},
                            status_message=message)
