"""Guide step 6: S'inscrire: everything is checked again, then the account is opened."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from web.accounts import service as accounts
from web.accounts.models import Account
from web.clock import now
from web.forms import FormData, error_list, is_email
from web.i18n import current_language
from web.i18n import gettext as _
from web.portals import journey
from web.portals.drafts import save_draft
from web.portals.home import current_portal
from web.portals.mss import links, service, state
from web.portals.mss.forms import RegistrationForm
from web.portals.mss.page import (
    PORTAL,
    SECURITY_ERROR_TARGETS,
    Visit,
    cannot_verify_message,
    lock_of,
    policy_accepted,
    register_response,
    security_state,
    verify_failed,
    visit,
)
from web.portals.mss.state import Draft, identity_of, is_verified, verification_of
from web.portals.mss.steps.form import show
from web.portals.mss.steps.security import check_answer
from web.registry.matching import normalize_email
from web.registry.models import Member
from web.rendering import see_other
from web.security import limits
from web.security.audit import audit
from web.security.client import client_address


async def submit(v: Visit, data: FormData) -> Response:
    await v.save()
    request, draft, form = v.request, v.draft, RegistrationForm(data)
    verification = verification_of(draft, form)
    if (data.get("answer") or "").strip() and state.asks_question(verification):
        # Enter pressed in the answer field: that is "Submit", not "Register".
        return await limits.committed(check_answer)(request, draft, form, data.get("answer"))
    if state.registered_again(draft, form):
        return see_other(request.app.url_path_for("mss:register_done"))  # submitted twice
    form.validate()
    errors = error_list(form, groups=[RegistrationForm.DATE_PARTS])
    security_error = policy_error = None
    if verification and verification.outcome:  # the security questions say why, and what to do
        errors.append(("security-field", cannot_verify_message()))
    elif not is_verified(verification):
        security_error = _(
            "Verify your identity: select Verify and answer the security questions."
        )
        if not verification and not is_email(form.email.data):  # no Verify button yet
            security_error = _(
                "Verify your identity: enter your email address, then select Verify and "
                "answer the security questions."
            )
    security = await security_state(request, draft, form, error=security_error)
    if security_error:
        target = SECURITY_ERROR_TARGETS.get(security["state"], "security-field")
        errors.append((target, security_error))
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
        return await register_response(request, draft, form, errors=errors, security=security,
                                       policy_error=policy_error, status_code=422)
    return await create_registration(request, draft, form)


STEP = journey.Step("register", show, submit)


async def register(request: Request) -> Response:
    """GET: the registration page (step 3); POST: S'inscrire."""
    return await journey.run(await visit(request), STEP)


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
        member = await limits.committed(service.match_identity)(identity, client)
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
