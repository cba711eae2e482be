"""The mss registration page (guide steps 3 to 6 are blocks of this one page): the visit, the
form taken into the draft, the security questions' state (``security``), the page and its messages.

Everything typed lives in a server-side draft, saved by every POST: reload, back/forward,
language switch and a closed tab lose nothing. Without JS each POST answers 303 → GET; with
htmx the security questions, the policy dialog and the policy line swap as blocks of the page.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from web.forms import FormData, is_email
from web.i18n import format_delay
from web.i18n import gettext as _
from web.portals import journey
from web.portals.drafts import save_draft
from web.portals.home import current_portal
from web.portals.mss import service, state
from web.portals.mss.forms import RegistrationForm
from web.portals.mss.state import Draft, verification_of
from web.registry.models import Member
from web.rendering import is_partial
from web.security import limits

PORTAL = "mss"
# Where the error summary's "Verify your identity" leads, by state of the security questions:
# the control to use (their fieldset when there is none; their place before they have
# appeared).
SECURITY_ERROR_TARGETS = {"empty": "security", "start": "verify", "question": "answer"}
# The steps of the registration page (the others, "uid" and after S'inscrire, have pages of
# their own): the language switch reloads the registration page.
ON_THE_PAGE = {"register", "security", "policy"}
# The whole form in place of the block an htmx request targets.
WHOLE_FORM = {"HX-Retarget": "#register", "HX-Reswap": "innerHTML"}


@dataclass
class Visit(journey.Visit):
    """A request in the mss journey: every POST of the registration form keeps what was
    typed."""

    def here(self, step: str) -> str:
        return self.page_path("" if step in ON_THE_PAGE else step)

    def keep(self, data: FormData, step: str) -> None:
        state.keep_typed(self.draft, data)


async def visit(request: Request) -> Visit:
    return await journey.visit(request, Draft, Visit)



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
        "attempts. Try again in %(delay)s, or contact support.",
        delay=format_delay(locked.retry_after),
    )


def policy_accepted(request: Request, draft: Draft) -> bool:
    return state.policy_accepted(draft, current_portal(request).branding.policy_version)


async def security_state(request: Request, draft: Draft, form: RegistrationForm, *,
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
    security: dict | None = None,
    policy_error=None,
    status_code: int = 200,
    block: str | None = None,
    status_message: str = "",
    headers: dict | None = None,
    locked: limits.Locked | None = None,
) -> Response:
    context = {
        "form": form,
        "security": security or await security_state(request, draft, form),
        "policy_accepted": policy_accepted(request, draft),
        "policy_error": policy_error,
    }
    if block == "register" and is_partial(request):
        headers = {**(headers or {}), **WHOLE_FORM}
    return journey.page(request, "mss/register.html", context, errors=errors,
                        status=status_code, block=block, lang_form="register-form",
                        locked=locked, headers=headers, status_message=status_message)


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
        security={"state": "locked" if locked else "start", "error": message},
        status_code=429 if locked else 422,
        block="register",
        status_message=message,
        locked=locked,
    )
