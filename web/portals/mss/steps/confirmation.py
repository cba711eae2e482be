"""Guide step 6, after S'inscrire: "Enregistrement (1/2)… Félicitations !", send the email
again, change the email address."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

from babel.dates import format_datetime
from starlette.requests import Request
from starlette.responses import Response
from tortoise.exceptions import IntegrityError

from web.accounts import service as accounts
from web.accounts.models import Account
from web.forms import FormData, error_list
from web.i18n import current_language
from web.i18n import gettext as _
from web.portals import journey
from web.portals.mss import links
from web.portals.mss.forms import ChangeEmailForm
from web.portals.mss.state import FIELD_MAX, Draft
from web.registry.matching import normalize_email
from web.rendering import is_partial, render, see_other
from web.security import limits
from web.security.audit import audit

PORTAL = "mss"
EMAIL_FIELDS = ("email", "email_confirm")


@dataclass
class RegisteredVisit(journey.Visit):
    """A request after S'inscrire, with the account this visitor has just registered (none:
    back to the registration form)."""

    account: Account | None = None

    def here(self, step: str) -> str:
        return self.page_path("done" if step == "resend" else step)

    def gate(self, step: str) -> Response | None:
        return None if self.account else see_other(self.page_path())

    def keep(self, data: FormData, step: str) -> None:
        if step == "email":  # the change-email form, as typed
            self.draft.new_email = {k: (data.get(k) or "")[:FIELD_MAX] for k in EMAIL_FIELDS}


async def visit(request: Request) -> RegisteredVisit:
    v = await journey.visit(request, Draft, RegisteredVisit)
    registered = v.draft.registered
    v.account = registered and await Account.get_or_none(id=registered.account, portal=PORTAL)
    return v


async def done_page(v: RegisteredVisit) -> Response:
    return done_response(v, sent=v.request.query_params.get("sent") == "1")


def done_response(v: RegisteredVisit, *, sent=False, error=None, status_code=200, headers=None):
    # When, as the member's language writes it (2 décembre 2026, 22:09:28 TU), in UTC as the
    # guide gives it.
    registered = v.draft.registered
    context = {
        "email": registered.email or v.account.email,
        "registered_at": registered.at,
        "registered_at_text": format_datetime(
            registered.at, "long", tzinfo=UTC, locale=current_language.get()
        ),
        "sent": sent,
        "error": error,
    }
    return render(
        v.request,
        "mss/done.html",
        context,
        status_code=status_code,
        block="resend" if is_partial(v.request) else None,
        status_message=_("We have sent the email again.") if sent else None,
        headers=headers,
    )


DONE = journey.Step("done", done_page)


async def done(request: Request) -> Response:
    return await journey.run(await visit(request), DONE)


async def resend_to(v: RegisteredVisit, data: FormData | None = None) -> Response:
    if v.account.password_state != accounts.PENDING and not v.draft.registered.already:
        # the member has chosen a password since
        return await v.goto("done")
    try:
        await links.resend_link(v.request, v.account)
    except limits.Locked as locked:
        return done_response(v, error=links.refusal_message(locked), status_code=429,
                             headers=journey.retry_headers(locked))
    if is_partial(v.request):
        return done_response(v, sent=True)
    return see_other(v.page_path("done", "?sent=1"))


RESEND = journey.Step("resend", done_page, resend_to)


async def resend(request: Request) -> Response:
    return await journey.run(await visit(request), RESEND)


async def email_page(v: RegisteredVisit, form=None, status_code=200) -> Response:
    form = form or ChangeEmailForm(FormData(v.draft.new_email or {}))
    errors = error_list(form)
    context = {
        "form": form,
        "errors": errors,
        "page_error": bool(errors),
        "lang_form_id": "email-form",
    }
    return render(v.request, "mss/change_email.html", context, status_code=status_code)


async def change(v: RegisteredVisit, data: FormData) -> Response:
    await v.save()
    form = ChangeEmailForm(data)
    already = v.draft.registered.already  # someone's account: never moved from here
    if form.validate() and await move_account(v.account, form, move=not already):
        v.draft.new_email = None
        v.draft.registered.email = form.email.data
        await v.save()
        return await resend_to(v)
    return await email_page(v, form, 422)


# The link only goes to the address on record: once the Fund has updated it, the member
# gives the new one here and the link is sent there.
EMAIL = journey.Step("email", email_page, change)


async def change_email(request: Request) -> Response:
    return await journey.run(await visit(request), EMAIL)


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
