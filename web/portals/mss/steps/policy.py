"""Guide step 5: the privacy policy and terms of use, read in a dialog (a page without JS) and
accepted."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from web.clock import now
from web.forms import FormData
from web.i18n import gettext as _
from web.portals import journey
from web.portals.mss import state
from web.portals.mss.page import Visit, register_response, visit
from web.rendering import is_partial, page_shows_errors, see_other


async def show(v: Visit) -> Response:
    return journey.fragment(v.request, "mss/policy.html", "dialog", overlay=True)


def keep(v: Visit, data: FormData) -> None:
    """"Read and accept" (and the language switch) send the registration form: what was typed
    is kept; Accept sends the dialog's form, which holds none of it."""
    if data.get("action") == "read" or data.get("switch_lang"):
        v.keep(data, "policy")


async def submit(v: Visit, data: FormData) -> Response:
    action = data.get("action")
    if action == "read":
        await v.save()
        if is_partial(v.request):
            return await show(v)
        return await v.goto("policy")
    if action != "accept":
        return see_other(v.page_path(query="#policy"))
    v.draft.policy = state.Policy(v.portal.branding.policy_version, now())
    await v.save()
    if not is_partial(v.request):
        return see_other(v.page_path(query="#policy"))
    message = _("You have accepted the privacy policy and terms of use.")
    if page_shows_errors(v.request):
        return await register_response(v.request, v.draft, state.form_of(v.draft),
                                       block="register", status_message=message)
    return journey.fragment(v.request, "mss/register.html", "policy", {"policy_accepted": True},
                            status_message=message)


STEP = journey.Step("policy", show, submit, keep=keep)


async def policy(request: Request) -> Response:
    return await journey.run(await visit(request), STEP)
