"""Guide step 4: the identity verification, a chain of questions (``wizard``): each is a page
of its own without JS; with htmx the next question is added under the answered one."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from web.forms import FormData
from web.i18n import gettext as _
from web.portals import journey
from web.portals.espace_prive import service, wizard
from web.portals.espace_prive.presentation import announcement
from web.portals.espace_prive.visit import Visit, page, shows, visit
from web.portals.espace_prive.wizard import Draft
from web.rendering import is_partial, page_shows_errors, render, see_other
from web.security import limits
from web.security.client import client_address

# The questions answered by a radio (``choice`` saves it as it is chosen).
CHOICES = ("health", "card", "other")


def question_of(v: Visit) -> str:
    question = v.question()
    if question not in wizard.QUESTIONS:
        raise HTTPException(404)
    return question


def context(v: Visit, form) -> dict:
    return {
        "fields": v.draft.fields,
        "vform": form,
        "health_question": v.portal.text("health_question"),
        "chain": wizard.chain,
    }


@shows("verification")
async def verification_page(v: Visit, page_name: str = "verification/health", form=None,
                            status=200, errors=(), locked: limits.Locked | None = None,
                            status_message: str = ""):
    question = page_name.split("/", 1)[1] if "/" in page_name else wizard.root_question(v.draft)
    form = form or wizard.verification_form(v.draft)
    return page(
        v,
        "espace_prive/verification.html",
        "verification",
        _("Verification of your identity"),
        form=form,
        errors=errors,
        status=status,
        here=f"verification/{question}",
        start=question,
        locked=locked,
        headers=journey.retry_headers(locked),
        status_message=status_message,
        **context(v, form),
    )


def mismatch_message(portal) -> str:
    return _(
        "The information you entered does not match our records. Check it and try again, or "
        "contact us: %(email)s, %(phone)s.",
        email=portal.branding.support_email,
        phone=portal.branding.support_phone,
    )


async def current_lock(v: Visit) -> limits.Locked | None:
    client = client_address(v.request)
    rules = limits.verification_rules(v.portal.id, wizard.identifier_of(v.draft) or "", client)
    return await limits.current_lock(rules)


def gate(v: Visit) -> Response | None:
    """The step's gate, then the question's: one the answers do not lead to starts over."""
    if blocked := v.gate("verification"):
        return blocked
    if not wizard.reachable(question_of(v), v.draft):
        return see_other(v.page_path("verification/" + wizard.root_question(v.draft)))
    return None


def back(v: Visit) -> str:
    previous = wizard.previous_question(question_of(v), v.draft)
    return f"verification/{previous}" if previous else "contact"


async def show(v: Visit) -> Response:
    locked = await current_lock(v)
    return await verification_page(v, f"verification/{question_of(v)}", locked=locked,
                                   status=429 if locked else 200)


@limits.committed  # the last answer's verification and the draft: one transaction
async def submit(v: Visit, data: FormData) -> Response:
    question = question_of(v)
    here = f"verification/{question}"
    shown = [q for q in data.getlist("q") if q in wizard.QUESTIONS] or [question]
    for name in wizard.answer_fields(shown):
        if name not in data:
            v.draft.fields[name] = ""  # a question shown without an answer (no radio checked)
    form = wizard.verification_form(v.draft)
    valid = form.validate_questions(shown)
    upcoming = valid and wizard.following(shown[-1], v.draft.fields)
    if valid and not upcoming:  # the verification itself looks at the lockout
        return await verify(v, here, form, wizard.method_after(shown))
    locked = await current_lock(v)
    await v.save()
    if locked:
        return await verification_page(v, here, locked=locked, status=429)
    if not valid:
        return await verification_page(v, here, form=form, status=422)
    return await v.goto(f"verification/{upcoming}")


async def verify(v: Visit, here: str, form, method: str | None) -> Response:
    """The draft is saved once, by the branch taken."""
    if method is None or (method == "vitale" and not wizard.reachable("serial", v.draft)):
        await v.save()
        return see_other(v.page_path("verification/" + wizard.root_question(v.draft)))
    try:
        result = await service.verify(v.portal.id, v.draft, method,
                                      client=client_address(v.request))
    except limits.Locked as locked:
        await v.save()
        return await verification_page(v, here, locked=locked, status=429)
    if result is None:
        await v.save()
        errors = [(None, mismatch_message(v.portal))]
        return await verification_page(v, here, form=form, errors=errors, status=422)
    if result.already_registered:
        v.draft = Draft(already=True)
        await v.save()
        return await v.goto("already")
    v.draft.verified = wizard.Verified(
        member=result.member.pk,
        method=method,
        fingerprint=wizard.fingerprint(v.draft),
        registry_email=result.registry_email,
    )
    await v.save()
    return await v.goto(v.after("verification"))


STEP = journey.Step("verification", show, submit, back=back, gate=gate)


async def verification(request: Request) -> Response:
    return await journey.run(await visit(request), STEP)


def choice_gate(v: Visit) -> Response | None:
    """A question with radios, of a step the visitor has reached: else nothing is here."""
    if v.request.path_params["question"] not in CHOICES or v.gate("verification"):
        raise HTTPException(404)
    return None


async def chosen(v: Visit, data: FormData) -> Response:
    """htmx: a radio chosen; save it and answer the question that follows (or nothing). The
    radio has a queue of its own: Suivant, sent after it, may be saved first (another
    process), and must not be undone."""
    request, question = v.request, v.request.path_params["question"]
    await v.save_typed(data, CHOICE)
    if not is_partial(request):
        return see_other(v.page_path(f"verification/{question}"))
    form = wizard.verification_form(v.draft)
    upcoming = wizard.following(question, v.draft.fields)
    if not form.validate_questions([question]):
        upcoming = None
    # From a page showing errors, the whole step, morphed in (the focus stays on the answer);
    # not for a question put in place of another ("I cannot read this number").
    chain = wizard.chain(wizard.root_question(v.draft), v.draft.fields)
    if page_shows_errors(request) and question in chain:
        message = announcement(upcoming, v.portal) if upcoming else ""
        response = await verification_page(v, status_message=message)
        response.headers.update({"HX-Retarget": "#main", "HX-Reswap": "innerMorph"})
        return response
    if upcoming is None:
        return HTMLResponse("", headers={"Cache-Control": "no-store"})
    return questions(v, form, upcoming)


CHOICE = journey.Step("verification", show, chosen, gate=choice_gate)


async def choice(request: Request) -> Response:
    return await journey.run(await visit(request), CHOICE)


def questions(v: Visit, form, start: str) -> HTMLResponse:
    ctx = {"v": v, "start": start, **context(v, form)}
    return render(v.request, "espace_prive/questions.html", ctx, block="questions",
                  status_message=announcement(start, v.portal))
