"""Guide step 4: the security questions: they appear once a valid email is typed, Verify matches
the identity against the registry, then each security question is answered and checked."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from web.forms import FormData, error_list, is_email, read_form
from web.i18n import gettext as _
from web.portals import journey
from web.portals.drafts import find_draft, save_draft
from web.portals.mss import service, state
from web.portals.mss.forms import AnswerForm, RegistrationForm
from web.portals.mss.page import (
    PORTAL,
    Visit,
    choose_suggestions,
    lock_of,
    register_response,
    security_state,
    verify_failed,
    visit,
)
from web.portals.mss.state import FIELD_MAX, Draft, identity_of, verification_of
from web.portals.mss.steps.form import show
from web.registry.models import Member
from web.rendering import is_partial, page_shows_errors, see_other
from web.security import limits
from web.security.client import client_address


async def security(request: Request) -> Response:
    """Guide step 4: the security questions appear once a valid email is typed (htmx, as it
    is typed).

    A POST of the form, so the email stays out of URLs and access logs. It is asked for at
    every pause in typing, so it costs as little as it can: until they have appeared, no
    verification can be under way for the page, and the email alone decides. It saves nothing
    (the form's ``change`` does); without JS there is nothing to answer but the form.
    """
    if not is_partial(request):
        return see_other(request.app.url_path_for("mss:register"))
    data = await read_form(request)
    email = (data.get("email") or "")[:FIELD_MAX]
    shown = bool(data.get("security_shown"))
    if not is_email(email):
        security = {"state": "empty"}
    elif not shown:
        security = {"state": "start"}
    else:
        draft = await find_draft(request, PORTAL, Draft, holding="verification")
        typed = {"answer": state.typed_answer(data)} if "answer" in data else {}
        security = (
            await security_state(request, draft, RegistrationForm(data), **typed)
            if draft and draft.verification
            else {"state": "start"}  # no verification under way: the email alone decides
        )
    appeared = security["state"] != "empty" and not shown
    message = (_("The security questions field has appeared after the email fields.")
               if appeared else None)  # else the live region keeps what it says
    return journey.fragment(request, "mss/register.html", "security", {"security": security},
                            status_message=message,
                            constant=len(security) == 1)  # a bare state: alike for all


@limits.committed  # the limiter, the registry read and the draft: one transaction
async def verify_identity(v: Visit, data: FormData) -> Response:
    """The draft is saved once, by the branch taken."""
    request, draft, form = v.request, v.draft, RegistrationForm(data)
    form.validate()
    errors = error_list(form, groups=[RegistrationForm.DATE_PARTS])
    if errors:
        await v.save()
        return await register_response(request, draft, form, errors=errors, status_code=422,
                                       security={"state": "start"}, block="register")
    identity = identity_of(form)
    client = client_address(request)
    try:
        member = await service.match_identity(identity, client)
    except (service.Mismatch, limits.Locked) as failure:
        return await verify_failed(request, draft, form, lock_of(failure))
    except service.CannotVerify as cannot:
        member, outcome = cannot.member, "cannot"
    else:
        outcome = None  # an account or none: the questions come next either way
    # What comes next is kept in the draft: reload and the page without JS show it.
    draft.verification = state.Verification(
        fingerprint=identity.fingerprint,
        member=member.id,
        facts=[] if outcome else service.question_facts(member),
        outcome=outcome,
    )
    await choose_suggestions(request, draft.verification, member)
    await save_draft(request, PORTAL, draft)
    security = await security_state(request, draft, form, member=member, focus=True)
    return await verified_response(
        request, draft, form, security, "#security" if outcome else "#answer"
    )


VERIFY = journey.Step("security", show, verify_identity)


async def verify(request: Request) -> Response:
    return await journey.run(await visit(request), VERIFY)


async def verified_response(request, draft, form, security: dict, anchor: str) -> Response:
    if not is_partial(request):
        return see_other(request.app.url_path_for("mss:register") + anchor)
    messages = {
        "question": _(
            "Question %(number)s of %(total)s.",
            number=security.get("number"),
            total=security.get("total"),
        ),
        "verified": _("Your identity has been verified."),
    }
    message = messages.get(security["state"], "")
    if page_shows_errors(request):
        return await register_response(
            request, draft, form, security=security, block="register", status_message=message
        )
    return journey.fragment(request, "mss/register.html", "security", {"security": security},
                            status_message=message)


@limits.committed  # the limiter, the member and the draft: one transaction
async def submit_answer(v: Visit, data: FormData) -> Response:
    return await check_answer(v.request, v.draft, RegistrationForm(data), data.get("answer") or "")


ANSWER = journey.Step("security", show, submit_answer)


async def answer(request: Request) -> Response:
    """Submit under a question: the answer is checked."""
    return await journey.run(await visit(request), ANSWER)


async def check_answer(request, draft, form, given: str) -> Response:
    verification = verification_of(draft, form)
    member = verification and await Member.get_or_none(id=verification.member)
    if not member or not verification.asks_question:
        await save_draft(request, PORTAL, draft)
        return await verified_response(
            request, draft, form, await security_state(request, draft, form), "#security"
        )
    typed = AnswerForm(FormData({"answer": given}))
    if not typed.validate():
        await save_draft(request, PORTAL, draft)
        return await answer_failed(request, draft, form, typed.answer.errors[0])
    given, client, fact = typed.answer.data, client_address(request), verification.fact
    verification.answer = ""  # checked: the field starts empty again
    try:
        answered = await service.check_answer(member, fact, given, client)
    except limits.Locked as locked:
        return await verify_failed(request, draft, form, locked)
    if not answered.right:
        await save_draft(request, PORTAL, draft)
        return await answer_failed(request, draft, form,
                                   _("This answer does not match our records."),
                                   answered.attempts_left, member=member)
    verification.step += 1
    if verification.verified:
        await service.passed(member, client, answered)
    await choose_suggestions(request, verification, member)
    await save_draft(request, PORTAL, draft)
    security = await security_state(request, draft, form, member=member, focus=True)
    return await verified_response(
        request, draft, form, security, "#verified" if verification.verified else "#answer"
    )


async def answer_failed(request, draft, form, error: str, attempts: int = 0,
                        member: Member | None = None) -> Response:
    security = await security_state(request, draft, form, member=member, error=error,
                                    attempts=attempts)
    return await register_response(
        request,
        draft,
        form,
        errors=[("answer", error)],
        security=security,
        status_code=422,
        block="register",
        status_message=error,
    )
