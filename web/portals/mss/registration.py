"""Guide steps 3 to 6: the registration form, its security questions, the policy, S'inscrire.

Everything typed lives in a server-side draft, saved by every POST: reload, back/forward,
language switch and a closed tab lose nothing. Without JS each POST answers 303 → GET; with
htmx the security panel, the policy dialog and the policy line swap as blocks of the page.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from web.accounts import service as accounts
from web.accounts.models import Account
from web.clock import now
from web.forms import FormData, error_list, is_email, read_form
from web.i18n import current_language
from web.i18n import gettext as _
from web.portals import journey
from web.portals.drafts import find_draft, load_draft, save_draft
from web.portals.home import current_portal
from web.portals.mss import links, service, state
from web.portals.mss.forms import RegistrationForm
from web.portals.mss.state import FIELD_MAX, Draft, identity_of, is_verified, verification_of
from web.registry.matching import normalize_email
from web.registry.models import Member
from web.rendering import is_partial, page_shows_errors, render, see_other
from web.security import limits
from web.security.audit import audit
from web.security.client import client_address

PORTAL = "mss"
# Where the error summary's "Verify your identity" leads, by state of the security panel:
# the control to use (the panel's fieldset when there is none; the panel's place before it
# has appeared).
PANEL_ERROR_TARGETS = {"empty": "security", "start": "verify", "question": "answer"}
# The whole form in place of the block an htmx request targets.
WHOLE_FORM = {"HX-Retarget": "#register", "HX-Reswap": "innerHTML"}




def lock_of(failure: Exception) -> limits.Locked | None:
    """The lockout this failure set (or found), if any."""
    return failure if isinstance(failure, limits.Locked) else getattr(failure, "locked", None)


def mismatch_message() -> str:
    return _(
        "The information you entered does not match our records. Check your UID, names, "
        "date of birth and email address, or contact support."
    )


def cannot_verify_message() -> str:
    return _("We cannot verify your identity online. Please contact support.")


def locked_message(locked: limits.Locked) -> str:
    if locked.ceiling:
        return _(
            "For your security, identity verification is closed after too many unsuccessful "
            "attempts today. Contact support: they will check your identity with you."
        )
    return _(
        "For your security, identity verification is paused after 3 unsuccessful "
        "attempts. Try again in %(minutes)s minutes, or contact support.",
        minutes=locked.retry_minutes,
    )


async def take_form(request: Request, *, save: bool = True
                    ) -> tuple[FormData, Draft, RegistrationForm]:
    """The POSTed registration form, saved to the draft as typed (before any validation);
    ``save=False``: the caller saves the draft itself, once it has done its work."""
    data, draft = await keep_typed(request, save=save)
    return data, draft, RegistrationForm(data)


async def keep_typed(request: Request, *, save: bool = True) -> tuple[FormData, Draft]:
    """The POSTed fields saved to the draft as typed (no form built: nothing is judged)."""
    data = await read_form(request)
    draft = await load_draft(request, PORTAL, Draft)
    state.keep_typed(draft, data)
    if save:
        await save_draft(request, PORTAL, draft)
    return data, draft


def policy_accepted(request: Request, draft: Draft) -> bool:
    return state.policy_accepted(draft, current_portal(request).branding.policy_version)


async def panel_state(request: Request, draft: Draft, form: RegistrationForm, *,
                      member: Member | None = None, **extra) -> dict:
    """``member``: the verification's member when the caller has it already (not read again)."""
    verification = verification_of(draft, form)
    if verification and (member is None or member.id != verification.member):
        member = await Member.get_or_none(id=verification.member)
    member = verification and member
    if not member:
        shown = "start" if is_email(form.email.data) else "empty"
        return {"state": shown, **extra}
    if verification.outcome == "cannot":
        return {"state": "cannot", "error": cannot_verify_message(), **extra}
    if verification.verified:
        return {"state": "verified", **extra}
    return {
        "state": "question",
        "number": verification.step + 1,
        "total": len(verification.facts),
        "question": service.question_text(verification.fact),
        "answer": verification.answer,
        "suggestions": service.shown_suggestions(verification.fact, verification.choices),
        **extra,
    }


async def choose_suggestions(request: Request, verification: state.Verification, member) -> None:
    """The suggestions of the question now asked, chosen once (they read the registry) and
    kept with the verification: each page or fragment showing the question only names them."""
    if not verification.asks_question:
        verification.choices = []
        return
    secret_key = request.app.state.settings.secret_key
    verification.choices = await service.suggestion_values(member, verification.fact, secret_key)


async def register_response(
    request: Request,
    draft: Draft,
    form: RegistrationForm,
    *,
    errors=(),
    panel: dict | None = None,
    policy_error=None,
    status_code: int = 200,
    block: str | None = None,
    status_message: str = "",
    headers: dict | None = None,
    locked: limits.Locked | None = None,
) -> Response:
    context = {
        "form": form,
        "panel": panel or await panel_state(request, draft, form),
        "policy_accepted": policy_accepted(request, draft),
        "policy_error": policy_error,
    }
    if block == "register" and is_partial(request):
        headers = {**(headers or {}), **WHOLE_FORM}
    return journey.page(request, "mss/register.html", context, errors=errors,
                        status=status_code, block=block, lang_form="register-form",
                        locked=locked, headers=headers, status_message=status_message)


async def register_page(request: Request) -> Response:
    draft = await find_draft(request, PORTAL, Draft)
    if draft is None:  # the robot rule counts from here
        draft = Draft()
        await save_draft(request, PORTAL, draft)
    return await register_response(request, draft, state.form_of(draft))


async def panel_fragment(request: Request) -> Response:
    """Guide step 4: the panel appears once a valid email is typed (htmx, as it is typed).

    A POST of the form, so the email stays out of URLs and access logs. It is asked for at
    every pause in typing, so it costs as little as it can: until the panel has appeared, no
    verification can be under way for the page, and the email alone decides. It saves nothing
    (the form's ``change`` does); without JS there is nothing to answer but the form.
    """
    if not is_partial(request):
        return see_other(request.app.url_path_for("mss:register"))
    data = await read_form(request)
    email = (data.get("email") or "")[:FIELD_MAX]
    shown = bool(data.get("panel_shown"))
    if not is_email(email):
        panel = {"state": "empty"}
    elif not shown:
        panel = {"state": "start"}
    else:
        draft = await load_draft(request, PORTAL, Draft)
        typed = {"answer": state.typed_answer(data)} if "answer" in data else {}
        panel = (
            await panel_state(request, draft, RegistrationForm(data), **typed)
            if draft.verification
            else {"state": "start"}  # no verification under way: the email alone decides
        )
    appeared = panel["state"] != "empty" and not shown
    message = _("The security questions field has appeared after the email fields.")
    return journey.fragment(request, "mss/register.html", "security", {"panel": panel},
                            status_message=message if appeared else None,
                            constant=len(panel) == 1)  # a bare state: alike for all


async def uid_help(request: Request) -> Response:
    return render(request, "mss/uid_help.html")


async def uid_help_submit(request: Request) -> Response:
    """The form's "Where to find your UID" button: what was typed is saved first."""
    await keep_typed(request)
    return see_other(request.app.url_path_for("mss:register_uid"))


async def save(request: Request) -> Response:
    """With htmx, each change of the form is saved as it happens (nothing to show)."""
    await keep_typed(request)
    return Response(status_code=204, headers={"Cache-Control": "no-store"})


async def verify(request: Request) -> Response:
    data, draft, form = await take_form(request, save=False)  # saved once, below
    if data.get("switch_lang"):
        await save_draft(request, PORTAL, draft)
        return journey.reload(request, request.app.url_path_for("mss:register"))
    form.validate()
    errors = error_list(form, groups=[RegistrationForm.DATE_PARTS])
    if errors:
        await save_draft(request, PORTAL, draft)
        return await register_response(
            request,
            draft,
            form,
            errors=errors,
            status_code=422,
            panel={"state": "start"},
            block="register",
        )
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
    panel = await panel_state(request, draft, form, member=member, focus=True)
    return await verified_response(
        request, draft, form, panel, "#security" if outcome else "#answer"
    )


async def verify_failed(request, draft, form, locked: limits.Locked | None) -> Response:
    """A mismatch or a lockout: the verification starts over (with htmx, the whole form)."""
    draft.verification = None
    await save_draft(request, PORTAL, draft)
    message = locked_message(locked) if locked else mismatch_message()
    return await register_response(
        request,
        draft,
        form,
        errors=[("security-field", message)],
        panel={"state": "locked" if locked else "start", "error": message},
        status_code=429 if locked else 422,
        block="register",
        status_message=message,
        locked=locked,
    )


async def verified_response(request, draft, form, panel: dict, anchor: str) -> Response:
    if not is_partial(request):
        return see_other(request.app.url_path_for("mss:register") + anchor)
    messages = {
        "question": _(
            "Question %(number)s of %(total)s.",
            number=panel.get("number"),
            total=panel.get("total"),
        ),
        "verified": _("Your identity has been verified."),
    }
    message = messages.get(panel["state"], "")
    if page_shows_errors(request):
        return await register_response(
            request, draft, form, panel=panel, block="register", status_message=message
        )
    return journey.fragment(request, "mss/register.html", "security", {"panel": panel},
                            status_message=message)


async def answer(request: Request) -> Response:
    data, draft, form = await take_form(request)
    if data.get("switch_lang"):
        return journey.reload(request, request.app.url_path_for("mss:register"))
    return await check_answer(request, draft, form, data.get("answer") or "")


async def check_answer(request, draft, form, given: str) -> Response:
    verification = verification_of(draft, form)
    member = verification and await Member.get_or_none(id=verification.member)
    if not member or not verification.asks_question:
        return await verified_response(
            request, draft, form, await panel_state(request, draft, form), "#security"
        )
    given = given.strip()
    client = client_address(request)
    fact = verification.fact
    if not given or len(given) > 100:
        error = (
            _("Enter your answer.")
            if not given
            else _("Enter at most %(max)s characters.", max=100)
        )
        return await answer_failed(request, draft, form, error)
    verification.answer = ""  # checked: the field starts empty again
    try:
        right = await service.check_answer(member, fact, given, client)
    except limits.Locked as locked:
        return await verify_failed(request, draft, form, locked)
    if not right:
        await save_draft(request, PORTAL, draft)
        attempts = await service.attempts_left(member.identifier, client)
        return await answer_failed(
            request, draft, form, _("This answer does not match our records."), attempts
        )
    verification.step += 1
    if verification.verified:
        await service.passed(member, client)
    await choose_suggestions(request, verification, member)
    await save_draft(request, PORTAL, draft)
    panel = await panel_state(request, draft, form, focus=True)
    return await verified_response(
        request, draft, form, panel, "#verified" if verification.verified else "#answer"
    )


async def answer_failed(request, draft, form, error: str, attempts: int = 0) -> Response:
    panel = await panel_state(request, draft, form, error=error, attempts=attempts)
    return await register_response(
        request,
        draft,
        form,
        errors=[("answer", error)],
        panel=panel,
        status_code=422,
        block="register",
        status_message=error,
    )


async def policy_page(request: Request) -> Response:
    return journey.fragment(request, "mss/policy.html", "dialog", overlay=True)


async def policy_submit(request: Request) -> Response:
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


async def register_submit(request: Request) -> Response:
    data, draft, form = await take_form(request)
    if data.get("switch_lang"):
        return journey.reload(request, request.app.url_path_for("mss:register"))
    verification = verification_of(draft, form)
    if (data.get("answer") or "").strip() and state.asks_question(verification):
        # Enter pressed in the answer field: that is "Submit", not "Register".
        return await check_answer(request, draft, form, data.get("answer"))
    if state.registered_again(draft, form):
        return see_other(request.app.url_path_for("mss:register_done"))  # submitted twice
    form.validate()
    errors = error_list(form, groups=[RegistrationForm.DATE_PARTS])
    panel_error = policy_error = None
    if verification and verification.outcome:  # the panel says why, and what to do
        errors.append(("security-field", cannot_verify_message()))
    elif not is_verified(verification):
        panel_error = _("Verify your identity: select Verify and answer the security questions.")
        if not verification and not is_email(form.email.data):  # no Verify button yet
            panel_error = _(
                "Verify your identity: enter your email address, then select Verify and "
                "answer the security questions."
            )
    panel = await panel_state(request, draft, form, error=panel_error)
    if panel_error:
        errors.append((PANEL_ERROR_TARGETS.get(panel["state"], "security-field"), panel_error))
    if not policy_accepted(request, draft):
        policy_error = _("Read and accept the privacy policy and terms of use.")
        errors.append(("policy-read", policy_error))
    if not errors and (data.get("website") or journey.too_fast(request, draft)):
        await audit(
            "registration_refused",
            portal=PORTAL,
            client=client_address(request),
            reason="honeypot" if data.get("website") else "too_fast",
        )
        errors = [(None, _("Please check your information, then select Register again."))]
    if errors:
        return await register_response(
            request,
            draft,
            form,
            errors=errors,
            panel=panel,
            policy_error=policy_error,
            status_code=422,
        )
    return await create_registration(request, draft, form)


async def create_registration(request, draft, form) -> Response:
    """Everything was checked again: the registry may have changed since the verification.
    Each account created counts against the client address; an attempt that creates none is
    refunded."""
    portal = current_portal(request)
    client = client_address(request)
    identity = identity_of(form)
    try:
        registration = await journey.admit_registration(client)
    except limits.Locked as locked:
        return await too_many_registrations(request, draft, form, locked)
    try:
        member = await service.match_identity(identity, client)
    except (service.Mismatch, limits.Locked, service.CannotVerify) as failure:
        await registration.refund()
        return await verify_failed(request, draft, form, lock_of(failure))
    try:
        account = await open_account(request, member, draft.policy)
    except IntegrityError:
        await registration.refund()
        account = await Account.get_or_none(portal=PORTAL, member=member)
        if account is None:  # another member's account logs in with this address
            message = _("This address cannot be used for your account. Please contact support.")
            return await register_response(request, draft, form, errors=[(None, message)],
                                           status_code=409)
        already = not same_registration(account, identity.email)
        if already:  # the same page as a new registration: the member is told by mail
            await links.tell_registered(request, account, member)
    else:
        already = False
        await registration.count()
    await links.start_cooldown(account)
    draft = Draft(registered=state.Registered(
        account=account.id,
        fingerprint=identity.fingerprint,
        at=now() if already else account.created_at,
        email=identity.email,
        already=already,
    ))
    await save_draft(request, PORTAL, draft)
    await audit(
        "registration_repeated" if already else "registration",
        portal=PORTAL,
        subject=member.identifier,
        client=client,
        policy_version=portal.branding.policy_version,
    )
    return see_other(request.app.url_path_for("mss:register_done"))


async def too_many_registrations(request, draft, form, locked: limits.Locked) -> Response:
    message = journey.registration_limit_message(locked)
    return await register_response(
        request, draft, form, errors=[(None, message)], status_code=429, locked=locked
    )


def same_registration(account: Account | None, email: str) -> bool:
    """A double submit of this very registration (rather than an older account)."""
    return (
        bool(account)
        and account.password_state == accounts.PENDING
        and (
            normalize_email(account.email) == normalize_email(email)
            and journey.sent_twice(account.created_at)
        )
    )


async def open_account(request: Request, member: Member, policy: state.Policy) -> Account:
    """Account (with the policy version and when it was accepted), set-password token and its
    email: one transaction, all or nothing. The address is the registry's, as the registry
    spells it: the typed one only had to match it.

    The account's language, which its emails use, is the one the member uses on the site now
    (SPEC §4: "emails use the member's language" — the language they chose). The registry's
    ``language`` column is not used: it is the Fund's record (often its default, never chosen
    by the member), whereas the member has just read and filled in the whole form in this one.
    """
    async with in_transaction() as connection:
        account = await accounts.create_account(
            member,
            portal=PORTAL,
            login=member.email,
            email=member.email,
            language=current_language.get(),
            policy_version=policy.version,
            using_db=connection,
        )
        account.policy_accepted_at = policy.accepted_at
        await account.save(using_db=connection, update_fields=["policy_accepted_at"])
        await links.send_link(request, account, member, connection)
    return account
