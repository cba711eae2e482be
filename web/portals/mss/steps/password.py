"""Guide steps 8 and 9: the emailed link opens "choose your password" (GET only shows the
form; the POST spends the link), then "your password has been set"."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from web.accounts import service as accounts
from web.accounts import tokens
from web.forms import error_list, read_form
from web.portals import journey
from web.portals.accounts.forms import ChoosePasswordForm, feedback_key
from web.portals.home import current_portal
from web.portals.mss import links
from web.rendering import render, see_other
from web.security import limits
from web.security.client import client_address


async def set_password(request: Request) -> Response:
    raw = request.path_params["token"]
    token = await tokens.peek_token(raw, tokens.SET_PASSWORD)
    if token is None:
        return await link_problem(request, raw)
    if request.method == "GET":
        return password_page(request, token.account, ChoosePasswordForm())
    data = await read_form(request)
    if data.get("switch_lang"):
        return see_other(request.url.path)
    form = ChoosePasswordForm(data)
    portal = current_portal(request)
    if not (form.validate() and await form.check_policy(token.account, portal)):
        return password_page(request, token.account, form, 422)
    spent = await tokens.spend_token(raw, tokens.SET_PASSWORD)
    if spent is None:  # used meanwhile, in another tab
        return await link_problem(request, raw)
    await accounts.set_password(
        spent.account,
        form.password.data,
        portal=portal,
        links=request.app.state.links,
    )
    await accounts.lift_login_pause(spent.account, client_address(request))
    return see_other(request.app.url_path_for("mss:password_done"))


def password_page(request, account, form, status_code=200) -> Response:
    errors = error_list(form)
    context = {
        "form": form,
        "errors": errors,
        "page_error": bool(errors),
        "account": account,
        "feedback_key": feedback_key(request, account),
        "lang_form_id": "password-form",
    }
    return render(request, "mss/set_password.html", context, status_code=status_code)


async def link_problem(request: Request, raw: str) -> Response:
    """An expired, used or unknown link says so, and how to get a new one."""
    problem = links.link_problem(await links.link_token(raw))
    return render(
        request,
        "mss/link_problem.html",
        {"problem": problem, "raw": raw},
        status_code=404 if problem == "unknown" else 410,
    )


async def renew_link(request: Request) -> Response:
    """A new link for the account of an expired one (one a minute per address)."""
    raw = request.path_params["token"]
    token = await links.link_token(raw)
    if links.link_problem(token) != "expired":
        return await link_problem(request, raw)
    try:
        await links.resend_link(request, token.account)
    except limits.Locked as locked:
        return render(
            request,
            "mss/link_problem.html",
            {"problem": "expired", "raw": raw, "error": links.refusal_message(locked)},
            status_code=429,
            headers=journey.retry_headers(locked),
        )
    return render(request, "mss/link_problem.html", {"problem": "renewed"})


async def password_done(request: Request) -> Response:
    return render(request, "mss/password_done.html")
