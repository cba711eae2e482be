"""Guide step 6, after S'inscrire: "Enregistrement (1/2)… Félicitations !", send the email
again, change the email address."""

from __future__ import annotations

from datetime import UTC

from babel.dates import format_datetime
from starlette.requests import Request
from starlette.responses import Response
from tortoise.exceptions import IntegrityError

from web.accounts import service as accounts
from web.accounts.models import Account
from web.forms import FormData, error_list, read_form
from web.i18n import current_language
from web.i18n import gettext as _
from web.portals import journey
from web.portals.drafts import load_draft, save_draft
from web.portals.mss import links
from web.portals.mss.forms import ChangeEmailForm
from web.portals.mss.state import FIELD_MAX, Draft
from web.registry.matching import normalize_email
from web.rendering import is_partial, render, see_other
from web.security import limits
from web.security.audit import audit

PORTAL = "mss"


async def registered_account(request: Request) -> tuple[Draft, Account | None]:
    """The draft and the account this visitor has just registered, if any."""
    draft = await load_draft(request, PORTAL, Draft)
    registered = draft.registered
    account = registered and await Account.get_or_none(id=registered.account, portal=PORTAL)
    return draft, account


async def done_page(request: Request) -> Response:
    draft, account = await registered_account(request)
    if account is None:
        return see_other(request.app.url_path_for("mss:register"))
    return done_response(request, draft, account, sent=request.query_params.get("sent") == "1")


def done_response(
    request, draft, account, *, sent=False, error=None, status_code=200, headers=None
):
    # When, as the member's language writes it (2 décembre 2026, 22:09:28 TU), in UTC as the
    # guide gives it.
    moment = draft.registered.at
    context = {
        "email": draft.registered.email or account.email,
        "registered_at": moment,
        "registered_at_text": format_datetime(
            moment, "long", tzinfo=UTC, locale=current_language.get()
        ),
        "sent": sent,
        "error": error,
    }
    return render(
        request,
        "mss/done.html",
        context,
        status_code=status_code,
        block="resend" if is_partial(request) else None,
        status_message=_("We have sent the email again.") if sent else None,
        headers=headers,
    )


async def resend(request: Request) -> Response:
    draft, account = await registered_account(request)
    if account is None:
        return see_other(request.app.url_path_for("mss:register"))
    return await resend_to(request, draft, account)


async def resend_to(request, draft, account: Account) -> Response:
    if account.password_state != accounts.PENDING and not draft.registered.already:
        # the member has chosen a password since
        return see_other(request.app.url_path_for("mss:register_done"))
    try:
        await links.resend_link(request, account)
    except limits.Locked as locked:
        return done_response(
            request, draft, account, error=links.refusal_message(locked), status_code=429,
            headers=journey.retry_headers(locked),
        )
    if is_partial(request):
        return done_response(request, draft, account, sent=True)
    return see_other(request.app.url_path_for("mss:register_done") + "?sent=1")


async def change_email(request: Request) -> Response:
    """The link only goes to the address on record: once the Fund has updated it, the member
    gives the new one here and the link is sent there."""
    draft, account = await registered_account(request)
    if account is None:
        return see_other(request.app.url_path_for("mss:register"))
    if request.method == "GET":
        return email_page(request, ChangeEmailForm(FormData(draft.new_email or {})))
    data = await read_form(request)
    draft.new_email = {k: (data.get(k) or "")[:FIELD_MAX] for k in ("email", "email_confirm")}
    await save_draft(request, PORTAL, draft)
    if data.get("switch_lang"):
        return journey.reload(request, request.app.url_path_for("mss:register_email"))
    form = ChangeEmailForm(data)
    already = draft.registered.already  # someone's account: never moved from here
    if form.validate() and await move_account(account, form, move=not already):
        draft.new_email = None
        draft.registered.email = form.email.data
        await save_draft(request, PORTAL, draft)
        return await resend_to(request, draft, account)
    return email_page(request, form, 422)


async def move_account(account: Account, form: ChangeEmailForm, *, move: bool = True) -> bool:
    """Give the pending account the address on record, as the registry spells it, if the one
    typed is it (``move=False``: only check that it is)."""
    member = await account.member
    new = form.email.data
    if normalize_email(new) != normalize_email(member.email):
        form.email.errors = [
            _(
                "This address is not the one the Fund has on record for you. "
                "To change the address on record, contact support."
            )
        ]
        return False
    if not move or account.email == member.email:
        return True
    account.email, account.login = member.email, accounts.normalize_login(member.email)
    try:
        await account.save(update_fields=["email", "login"])
    except IntegrityError:  # another account logs in with it: support must sort it out
        form.email.errors = [
            _("This address cannot be used for your account. Please contact support.")
        ]
        return False
    await audit("registration_email_changed", portal=PORTAL, subject=member.identifier)
    return True


def email_page(request, form, status_code=200) -> Response:
    errors = error_list(form)
    context = {
        "form": form,
        "errors": errors,
        "page_error": bool(errors),
        "lang_form_id": "email-form",
    }
    return render(request, "mss/change_email.html", context, status_code=status_code)
