"""Guide step 5: "Receive your password": the recap of every answer (RGAA 11.12), and the
proof of an email address the registry does not hold (a code mailed to it, typed back)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from web.forms import FormData
from web.i18n import current_language
from web.i18n import gettext as _
from web.portals import journey
from web.portals.espace_prive import email_proof, wizard
from web.portals.espace_prive.forms import EmailCodeForm
from web.portals.espace_prive.presentation import recap_rows
from web.portals.espace_prive.visit import Visit, page, shows, visit
from web.security import limits


@shows("password")
async def show(v: Visit, page_name: str = "password", form=None, status=200, errors=(),
               headers=None):
    contact = wizard.contact_of(v.draft) or {}
    method = getattr(wizard.verified(v.draft), "method", None)
    proof = wizard.email_needs_proof(v.draft) and not wizard.email_proved(v.draft)
    code = proof and email_proof.live_code(v.draft)
    postal = method == "postal"
    change_email = v.page_path("contact", "?back=password#email")
    rows = recap_rows(v)
    if not postal:  # the ✎ beside the address changes it: not a second link to that page
        rows = [(*row[:2], None, *row[3:]) if row[2] == change_email else row for row in rows]
    return page(v, "espace_prive/password.html", "password", _("Receive your password"),
                form=form or (EmailCodeForm() if code else None), status=status, errors=errors,
                headers=headers, email=contact.get("email", ""), postal=postal,
                proof=proof, code_sent=bool(code), rows=rows, change_email=change_email)


async def submit(v: Visit, data: FormData) -> Response:
    if wizard.email_needs_proof(v.draft) and not wizard.email_proved(v.draft):
        return await prove_email(v, data)
    v.draft.password_seen = True
    await v.save()
    return await v.goto("policy")


async def prove_email(v: Visit, data: FormData) -> Response:
    """Suivant sends the code (or "Send a new code"); with a code sent, Suivant checks it."""
    form = EmailCodeForm(data)
    if data.get("action") == "send_code" or not (
        email_proof.live_code(v.draft) or form.email_code.data
    ):
        return await send_code(v)
    if not form.value.isdigit() or len(form.value) != email_proof.DIGITS:
        message = _("Enter the 6-digit code we sent to %(email)s.",
                    email=wizard.typed_email(v.draft))
        return await code_refused(v, form, message)
    secret_key = v.request.app.state.settings.secret_key
    outcome = await email_proof.check_code(v.draft, form.value, secret_key=secret_key)
    if outcome == email_proof.RIGHT:
        v.draft.password_seen = True
        await v.save()
        return await v.goto("policy")
    await v.save()
    if outcome == email_proof.SPENT:  # the page shows no code field: a message over it
        message = _("This code no longer works. Select “%(button)s” to receive a new code.",
                    button=_("Next"))
        return await show(v, status=422, errors=[(None, message)])
    form.email_code.data = ""
    return await code_refused(v, form, _("This is not the code we sent. Check it and type it "
                                         "again."))


async def code_refused(v: Visit, form: EmailCodeForm, message: str) -> Response:
    form.email_code.errors = [message]
    return await show(v, form=form, status=422, errors=[("email_code", message)])


async def send_code(v: Visit) -> Response:
    try:
        await email_proof.send_code(v.portal, v.draft, language=current_language.get(),
                                    secret_key=v.request.app.state.settings.secret_key)
    except limits.Locked as locked:
        message = _(
            "We have sent all the codes we can today for this registration. Try again "
            "tomorrow, or contact us: %(email)s, %(phone)s.",
            email=v.portal.branding.support_email, phone=v.portal.branding.support_phone)
        return await show(v, status=429, errors=[(None, message)],
                          headers=journey.retry_headers(locked))
    await v.save()
    return await v.goto("password")


STEP = journey.Step("password", show, submit, back="verification")


async def password(request: Request) -> Response:
    return await journey.run(await visit(request), STEP)
