"""Log-in, log-out, forgotten password, reset link, member space, password changes.

Mounted under each portal (``/<portal>/…``). Forms are plain POSTs answered 303 → GET
(or the page again with its errors); the only htmx request is the live password feedback.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from web.accounts import service, tokens
from web.accounts.models import Account
from web.accounts.passwords import live_feedback, personal_words
from web.forms import error_list, read_form
from web.i18n import format_clock, format_delay, lazy_gettext
from web.i18n import gettext as _
from web.portals.accounts.forms import (
    ChangePasswordForm,
    ChoosePasswordForm,
    feedback_account,
    feedback_key,
    forgot_form,
    login_form,
)
from web.portals.accounts.typed import forget_typed, remember_typed, typed_login
from web.portals.home import current_portal
from web.portals.journey import page
from web.rendering import is_partial, render, see_other
from web.security import limits, sessions
from web.security.audit import audit
from web.security.client import client_address

LOGIN_FORM_ID = "login-form"
FORGOT_FORM_ID = "forgot-form"
PASSWORD_FORM_ID = "password-form"  # noqa: S105 - an HTML id

# Messages a redirect asks the next page to show (?notice=…): the query only picks one.
NOTICES = {
    "logged-out": lazy_gettext("You are logged out."),
    "password-reset": lazy_gettext("Your new password is saved. You can log in with it now."),
    "password-changed": lazy_gettext("Your password has been changed."),
    "password-set": lazy_gettext("Your new password is saved."),
    "session-expired": lazy_gettext(
        "Your session has ended: you were logged out after a time without activity, to protect "
        "your account. Log in again to go back to the page you were on."
    ),
}
# Where a log-in may send the member back: a page of this portal's member space, as a path
# only (no scheme, host, "//", backslash, dot segment, escape, query or fragment).
NEXT_PATH = re.compile(r"(/[a-z-]+)+")


def notice_text(request: Request) -> str | None:
    key = request.query_params.get("notice", "")
    return str(NOTICES[key]) if key in NOTICES else None


def safe_next(request: Request, portal, value) -> str | None:
    """``value`` if it is a page of ``portal``'s member space, else None: never an open
    redirect."""
    space = request.app.url_path_for(f"{portal.id}:account")
    inside = isinstance(value, str) and (value == space or value.startswith(space + "/"))
    if inside and NEXT_PATH.fullmatch(value):
        return value
    return None


def login_url(request: Request, portal, next_path: str | None = None,
              notice: str | None = None) -> str:
    query = urlencode({k: v for k, v in (("next", next_path), ("notice", notice)) if v})
    return request.app.url_path_for(f"{portal.id}:login") + (f"?{query}" if query else "")


# --- log-in, log-out -----------------------------------------------------------------------


async def login(request: Request) -> Response:
    portal = current_portal(request)
    current = await sessions.current_account(request)
    if current is not None and current.portal == portal.id:
        return see_other(request.app.url_path_for(f"{portal.id}:account"))
    if request.method == "GET":
        form = login_form(portal)
        form.login.data = await typed_login(request, portal, "login")
        next_path = safe_next(request, portal, request.query_params.get("next"))
        return _login_page(request, portal, form, next_path=next_path)
    data = await read_form(request)
    next_path = safe_next(request, portal, data.get("next"))
    if data.get("switch_lang"):
        await remember_typed(request, portal, data, "login")
        # The home page's log-in form says it is there (no Referer: the policy is no-referrer).
        if data.get("came_from") == "home":
            return see_other(request.app.url_path_for(f"{portal.id}:home"))
        return see_other(login_url(request, portal, next_path))
    form = login_form(portal, data)
    if not form.validate():
        return _login_page(request, portal, form, status_code=422, next_path=next_path)
    client = client_address(request)
    try:
        account = await service.authenticate(
            portal.id, form.login.data, form.password.data, client=client
        )
    except limits.Locked as locked:
        message = _(
            "Too many failed attempts. For your security, logging in is paused for "
            "%(delay)s. Try again later, or reset your password.",
            delay=format_delay(locked.retry_after),
        )
        return _login_page(
            request,
            portal,
            form,
            message,
            status_code=429,
            locked=locked,
            next_path=next_path,
        )
    except service.ProvisionalPasswordExpired:
        message = _(
            "Your provisional password has expired: it was valid for 7 days. Ask for a new "
            "password with “Forgot your password?” below, or contact us."
        )
        return _login_page(request, portal, form, message, status_code=422, next_path=next_path)
    if account is None:
        message = (
            _("The email address or the password is not correct.")
            if portal.login_field == "email"
            else _("The social security number or the password is not correct.")
        )
        return _login_page(request, portal, form, message, status_code=422, next_path=next_path)
    await sessions.start_session(request, account)
    await forget_typed(request, portal)
    if account.password_state == service.PROVISIONAL:
        return see_other(request.app.url_path_for(f"{portal.id}:new_password"))
    return see_other(next_path or request.app.url_path_for(f"{portal.id}:account"))


def _login_page(
    request, portal, form, message=None, *, status_code=200, locked=None, next_path=None
):
    notice = request.query_params.get("notice") if request.method == "GET" else None
    context = {
        "notice": notice_text(request) if notice else None,
        "notice_kind": "info" if notice == "session-expired" else "success",
        "next_path": next_path,
    }
    return _form_page(request, "accounts/login.html", form, LOGIN_FORM_ID, context,
                      message=message, status_code=status_code, locked=locked)


def _form_page(request, template, form, form_id, context=None, *, message=None,
               status_code=200, locked=None):
    """An account page showing ``form`` (its errors, and ``message`` about its login field)."""
    return page(
        request,
        template,
        {"form": form, **(context or {})},
        errors=error_list(form) + ([("login", message)] if message else []),
        status=status_code,
        lang_form=form_id,
        locked=locked,
        status_message=None,
    )


async def logout(request: Request) -> Response:
    portal = current_portal(request)
    account = await sessions.current_account(request)
    if account is not None:
        await audit(
            "logout", portal=portal.id, subject=account.login, client=client_address(request)
        )
    await sessions.end_session(request)
    return see_other(request.app.url_path_for(f"{portal.id}:login") + "?notice=logged-out")


# --- forgotten password, reset link ---------------------------------------------------------


async def forgot(request: Request) -> Response:
    portal = current_portal(request)
    if request.method == "GET":
        form = forgot_form(portal)
        form.login.data = await typed_login(request, portal, "forgot")
        return _forgot_page(request, portal, form)
    data = await read_form(request)
    if data.get("switch_lang"):
        await remember_typed(request, portal, data, "forgot")
        return see_other(request.app.url_path_for(f"{portal.id}:forgot"))
    form = forgot_form(portal, data)
    if not form.validate():
        return _forgot_page(request, portal, form, status_code=422)
    client = client_address(request)
    per_client = service.client_key("forgot", portal.id, client)
    await limits.take({per_client: service.FORGOT_CLIENT})
    await forget_typed(request, portal)
    # The lookup and the mail happen after the answer is sent: the answer is the same, and
    # takes the same time, whether or not the account exists.
    task = BackgroundTask(
        service.request_password_reset,
        portal,
        form.login.data,
        links=request.app.state.links,
        client=client,
    )
    return see_other(request.app.url_path_for(f"{portal.id}:forgot_sent"), background=task)


def _forgot_page(request, portal, form, *, status_code=200):
    return _form_page(request, "accounts/forgot.html", form, FORGOT_FORM_ID,
                      status_code=status_code)


async def forgot_sent(request: Request) -> Response:
    return render(request, "accounts/forgot_sent.html")


async def reset(request: Request) -> Response:
    portal = current_portal(request)
    raw = request.path_params["token"]
    here = request.app.url_path_for(f"{portal.id}:reset", token=raw)
    client = client_address(request)
    attempt = await limits.admit(
        {service.client_key("reset", portal.id, client): service.RESET_CLIENT}
    )
    token = await tokens.peek_token(raw, tokens.RESET)
    if token is None or token.account.portal != portal.id:
        await attempt.count()  # a wrong link counts
        return _link_invalid(request)
    await attempt.refund()
    account = token.account
    form = await _chosen_password(request, portal, "reset", here, account)
    if isinstance(form, Response):
        return form
    if await tokens.spend_token(raw, tokens.RESET) is None:
        return _link_invalid(request)
    await service.set_password(
        account, form.password.data, portal=portal, links=request.app.state.links
    )
    await service.lift_login_pause(account, client)
    return see_other(request.app.url_path_for(f"{portal.id}:login") + "?notice=password-reset")


def _link_invalid(request: Request) -> Response:
    return render(request, "accounts/link_invalid.html", status_code=410)


# --- member space ---------------------------------------------------------------------------


async def _logged_in(request: Request, portal) -> Account | Response:
    """The logged-in account of this portal, or where to send the visitor instead: the log-in
    page, or the forced change of a provisional password."""
    account = await sessions.current_account(request)
    if account is None or account.portal != portal.id:
        here = request.url.path
        back = None if here == request.app.url_path_for(f"{portal.id}:account") else here
        expired = "session-expired" if sessions.session_expired(request) else None
        return see_other(login_url(request, portal, back, expired))
    new_password_url = request.app.url_path_for(f"{portal.id}:new_password")
    if account.password_state == service.PROVISIONAL and request.url.path != new_password_url:
        return see_other(new_password_url)
    return account


async def account_home(request: Request) -> Response:
    portal = current_portal(request)
    account = await _logged_in(request, portal)
    if isinstance(account, Response):
        return account
    member = await account.member
    notice = notice_text(request)
    return render(
        request,
        "accounts/account.html",
        {"account": account, "member": member, "notice": notice},
        status_message=notice,
    )


async def change_password(request: Request) -> Response:
    portal = current_portal(request)
    account = await _logged_in(request, portal)
    if isinstance(account, Response):
        return account
    here = request.app.url_path_for(f"{portal.id}:password")
    if request.method == "GET":
        return _password_page(request, portal, ChangePasswordForm(), "change", here, account)
    data = await read_form(request)
    if data.get("switch_lang"):
        return see_other(here)
    form = ChangePasswordForm(data)
    if form.validate():
        try:
            right = await service.check_current_password(
                account, form.current.data, client=client_address(request)
            )
        except limits.Locked as locked:
            form.current.errors = [
                _(
                    "Too many failed attempts. For your security, changing the password is "
                    "paused for %(delay)s.",
                    delay=format_delay(locked.retry_after),
                )
            ]
            return _password_page(
                request, portal, form, "change", here, account, status_code=429, locked=locked
            )
        if not right:
            form.current.errors = [_("Your current password is not correct.")]
        if await form.check_policy(account, portal) and right:
            await _save_password(request, portal, account, form.password.data)
            account_url = request.app.url_path_for(f"{portal.id}:account")
            return see_other(account_url + "?notice=password-changed")
    return _password_page(request, portal, form, "change", here, account, status_code=422)


async def new_password(request: Request) -> Response:
    """The forced change of a provisional password, right after logging in with it."""
    portal = current_portal(request)
    account = await _logged_in(request, portal)
    if isinstance(account, Response):
        return account
    if account.password_state != service.PROVISIONAL:
        return see_other(request.app.url_path_for(f"{portal.id}:account"))
    here = request.app.url_path_for(f"{portal.id}:new_password")
    form = await _chosen_password(request, portal, "provisional", here, account)
    if isinstance(form, Response):
        return form
    if await service.password_matches(account, form.password.data):
        # The provisional password travelled by email or post: it cannot stay.
        form.password.errors = [_("Choose a new password, not the provisional one you received.")]
        return _password_page(request, portal, form, "provisional", here, account, status_code=422)
    await _save_password(request, portal, account, form.password.data)
    return see_other(request.app.url_path_for(f"{portal.id}:account") + "?notice=password-set")


async def _chosen_password(request, portal, kind, here, account) -> ChoosePasswordForm | Response:
    """The password form sent to ``here``, valid by the policy; or the page to answer
    instead (the form, again with its errors; the page again in the other language)."""
    if request.method == "GET":
        return _password_page(request, portal, ChoosePasswordForm(), kind, here, account)
    data = await read_form(request)
    if data.get("switch_lang"):
        return see_other(here)
    form = ChoosePasswordForm(data)
    if not (form.validate() and await form.check_policy(account, portal)):
        return _password_page(request, portal, form, kind, here, account, status_code=422)
    return form


async def _save_password(request: Request, portal, account: Account, password: str) -> None:
    """Set the password, which ends every session, then log this visitor in again under a
    new session id."""
    await service.set_password(
        account, password, portal=portal, links=request.app.state.links
    )
    await sessions.start_session(request, account)


def _password_page(
    request, portal, form, kind, action, account, *, status_code=200, locked=None
):
    context = {
        "kind": kind,
        "action": action,
        "feedback_key": feedback_key(request, account) if kind == "reset" else "",
    }
    return _form_page(request, "accounts/password.html", form, PASSWORD_FORM_ID, context,
                      status_code=status_code, locked=locked)


async def stay_logged_in(request: Request) -> Response:
    """The session dialog's "Stay logged in": activity, so the idle time starts again."""
    portal = current_portal(request)
    session = await sessions.current_session(request)
    if session is not None and session.account.portal == portal.id:
        await sessions.touch(session)
        message = _(
            "You are still logged in. Without activity, your session now ends at %(time)s.",
            time=format_clock(sessions.ends_at(request, session)),
        )
    else:
        request.state.session = None
        message = _("Your session has ended. Log in again.")
    data = await read_form(request)
    if not is_partial(request):
        return see_other(safe_next(request, portal, data.get("next"))
                         or request.app.url_path_for(f"{portal.id}:account"))
    return render(
        request, "accounts/session_end.html", block="session_end", status_message=message
    )


# --- live password feedback (htmx) ----------------------------------------------------------


async def password_feedback(request: Request) -> Response:
    """The requirements checklist for the password being typed (``choose_password`` macro)."""
    portal = current_portal(request)
    data = await read_form(request)
    account = await feedback_account(request, data.get("feedback_for", ""))
    if account is None:
        account = await sessions.current_account(request)
    if account is not None and account.portal == portal.id:
        personal = await service.account_personal_words(account, portal)
    else:
        personal = personal_words(portal)
    checks = await live_feedback(data.get("password", ""), personal=personal)
    met = sum(1 for check in checks if check.met)
    summary = _("%(met)s of %(total)s password requirements met.", met=met, total=len(checks))
    return render(
        request,
        "accounts/password_feedback.html",
        {"checks": checks},
        block="feedback",
        status_message=summary if data.get("password") else None,
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/login", login, methods=["GET", "POST"], name="login"),
        Route("/logout", logout, methods=["POST"], name="logout"),
        Route("/forgot", forgot, methods=["GET", "POST"], name="forgot"),
        Route("/forgot/sent", forgot_sent, name="forgot_sent"),
        Route("/reset/{token}", reset, methods=["GET", "POST"], name="reset"),
        Route("/account", account_home, name="account"),
        Route("/account/password", change_password, methods=["GET", "POST"], name="password"),
        Route("/account/new-password", new_password, methods=["GET", "POST"], name="new_password"),
        Route("/account/stay", stay_logged_in, methods=["POST"], name="stay"),
        Route("/password-feedback", password_feedback, methods=["POST"], name="feedback"),
    ]
