"""The espace-prive registration wizard (SPEC §3, guide steps 1-7), under /register.

Each step is its own URL. Without JS a POST answers 303 → GET (or the page again with its
errors, 422). With htmx the form's POST answers the next page's ``step`` block with
``HX-Push-Url``; pages without the wizard form answer ``HX-Redirect`` (a full load, so the
header's language switch is right). Every POST saves what was typed in the draft, even when
it does not validate, so Précédent and the language switch keep it.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from web.forms import FormData, error_list, read_form
from web.i18n import current_language
from web.i18n import gettext as _
from web.portals import journey
from web.portals.drafts import delete_draft, load_draft, save_draft
from web.portals.espace_prive import checks, email_proof, service, wizard
from web.portals.espace_prive.forms import OTHER, PROFILE_HINTS, PROFILES, EmailCodeForm
from web.portals.espace_prive.presentation import announcement, recap_rows
from web.portals.espace_prive.wizard import Draft
from web.portals.home import current_portal
from web.rendering import is_partial, page_shows_errors, render, see_other
from web.security import limits
from web.security.client import client_address

FORM_ID = "wizard"
DATE_GROUP = [("birth_day", "birth_month", "birth_year")]
# Pages that are not steps of the wizard form: reached with a full load.
PLAIN_PAGES = {"contact_us", "already", "done"}


@dataclass
class Visit:
    """One request in the wizard: the portal, the draft, and ``back`` ("password" when an
    answer is changed from the recap, ``?back=password``: Suivant returns there)."""

    request: Request
    portal: object
    draft: Draft
    back: str | None = None

    def page_path(self, page: str = "", query: str = "") -> str:
        """The path of a wizard page (a step, a plain page, ``verification/<question>``),
        reversed from its route's name: ``register_<page>``."""
        page, _sep, question = page.partition("/")
        name = f"{self.portal.id}:register" + (f"_{page}" if page else "")
        if question and question != "health":  # the first question has the step's own URL
            return self.request.app.url_path_for(f"{name}_question", question=question) + query
        return self.request.app.url_path_for(name) + query

    async def save(self) -> None:
        await save_draft(self.request, self.portal.id, self.draft)

    def keep(self, form: FormData, names) -> None:
        wizard.keep_typed(self.draft, form, names)


async def visit(request: Request) -> Visit:
    portal = current_portal(request)
    back = "password" if request.query_params.get("back") == "password" else None
    return Visit(request, portal, await load_draft(request, portal.id, Draft), back)


def gate(v: Visit, step: str) -> Response | None:
    """Send the visitor to the first step still to answer before ``step``."""
    if v.draft.finished:
        return see_other(v.page_path("done"))
    missing = wizard.first_incomplete(v.draft, before=step)
    return see_other(v.page_path(missing)) if missing else None


async def goto(v: Visit, page: str) -> Response:
    """The next page: 303 without JS; its block (HX-Push-Url) or HX-Redirect with htmx."""
    url = v.page_path(page)
    if not is_partial(v.request):
        return see_other(url)
    if page in PLAIN_PAGES:
        return Response(status_code=200, headers={"HX-Redirect": url})
    v.back = None  # the page is rendered for its own URL
    response = await PAGES[page.split("/")[0]](v, page)
    response.headers["HX-Push-Url"] = url
    return response


def reload(v: Visit, url: str) -> Response:
    """The same page again (after a language switch): a full load."""
    if is_partial(v.request):
        return Response(status_code=200, headers={"HX-Redirect": url})
    return see_other(url)


def after(v: Visit, step: str) -> str:
    """Where Suivant leads: the recap when editing from it (or what its change re-opened)."""
    if v.back:
        return wizard.first_incomplete(v.draft, before="password") or "password"
    return wizard.next_step(step)


async def early_exit(v: Visit, form: FormData, previous: str | None, here: str) -> Response | None:
    """Language switch and Précédent: save what was typed, without validating it."""
    if form.get("switch_lang"):
        await v.save()
        return reload(v, v.page_path(here, _query(v)))
    if form.get("action") == "back" and previous:
        await v.save()
        return await goto(v, previous)
    return None


def _query(v: Visit) -> str:
    return "?back=password" if v.back else ""


# -- rendering --------------------------------------------------------------------------------


def page(
    v: Visit,
    template: str,
    step: str | None,
    heading: str,
    *,
    form=None,
    errors=(),
    status: int = 200,
    here: str | None = None,
    headers: dict | None = None,
    status_message: str = "",
    **context,
) -> HTMLResponse:
    """A wizard page: the whole page, or its ``step`` block for htmx."""
    errors = list(errors) or (error_list(form, groups=DATE_GROUP) if form is not None else [])
    number = wizard.number(step) if step else None
    title = heading
    if number:
        title = _("Step %(current)s of %(total)s", current=number, total=wizard.TOTAL)
        title = f"{title} – {heading}"
    here_path = v.page_path(here or step or "")
    ctx = {
        "v": v,
        "step": step,
        "number": number,
        "total": wizard.TOTAL,
        "heading": heading,
        "page_title": title,
        "form": form,
        "errors": errors,
        "page_error": bool(errors) or status >= 400,
        "action": here_path + _query(v),
        "abandon_url": v.page_path("abandon", "?" + urlencode({"from": here_path})),
        **context,
    }
    if here or step:
        ctx["lang_form_id"] = FORM_ID
    return render(v.request, template, ctx, block="step", status_code=status, headers=headers,
                  status_message=status_message)


# -- entry, profile, contact-us -----------------------------------------------------------------


async def start(request: Request) -> Response:
    """S'inscrire: resume the registration in progress, or start one."""
    v = await visit(request)
    if v.draft.finished or v.draft.already:
        await delete_draft(request, v.portal.id)
        v.draft = Draft()
    return see_other(v.page_path(wizard.first_incomplete(v.draft) or "password"))


async def profile_page(v: Visit, page_name: str = "profile", form=None, status=200):
    form = form or wizard.profile_form(v.draft)
    return page(v, "espace_prive/profile.html", "profile", _("Create my private space"),
                form=form, status=status, profiles=PROFILES, hints=PROFILE_HINTS)


async def profile(request: Request) -> Response:
    v = await visit(request)
    if blocked := gate(v, "profile"):
        return blocked
    if request.method == "GET":
        return await profile_page(v)
    data = await read_form(request)
    v.keep(data, wizard.STEP_FIELDS["profile"])
    if exit_ := await early_exit(v, data, None, "profile"):
        return exit_
    form = wizard.profile_form(v.draft, data)
    await v.save()
    if not form.validate():
        return await profile_page(v, form=form, status=422)
    if form.profile.data == OTHER:
        return await goto(v, "contact_us")
    return await goto(v, after(v, "profile"))


async def contact_us(request: Request) -> Response:
    v = await visit(request)
    return page(v, "espace_prive/contact_us.html", None, _("Who to contact"))


# -- identifier -------------------------------------------------------------------------------


async def identifier_page(v: Visit, page_name: str = "identifier", form=None, status=200,
                          errors=()):
    form = form or wizard.identifier_form(v.draft)
    company = wizard.is_company(v.draft)
    heading = _("Your identifier")
    return page(v, "espace_prive/identifier.html", "identifier", heading, form=form,
                errors=errors, status=status, company=company)


async def identifier(request: Request) -> Response:
    v = await visit(request)
    if blocked := gate(v, "identifier"):
        return blocked
    if request.method == "GET":
        return await identifier_page(v)
    data = await read_form(request)
    v.keep(data, wizard.STEP_FIELDS["identifier"])
    if exit_ := await early_exit(v, data, "profile", "identifier"):
        return exit_
    await v.save()
    form = wizard.identifier_form(v.draft, data)
    if not form.validate():
        return await identifier_page(v, form=form, status=422)
    if data.get("website"):  # the honeypot: filled by a robot (or an over-eager autofill)
        message = _("Please check your entry, then send the form again.")
        return await identifier_page(v, form=form, status=422, errors=[(None, message)])
    if journey.too_fast(request, v.draft):
        message = _("The form was sent too quickly after it appeared. Wait a moment, then "
                    "select “%(button)s” again.", button=_("Next"))
        return await identifier_page(v, form=form, status=422, errors=[(None, message)])
    v.draft.answers["identifier"] = checks.format_identifier(form.value)  # shown as printed
    await v.save()
    return await goto(v, after(v, "identifier"))


async def identifier_help(request: Request) -> Response:
    v = await visit(request)
    return page(v, "espace_prive/identifier_help.html", None,
                _("I do not know my social security number"))


# -- contact details --------------------------------------------------------------------------


async def contact_page(v: Visit, page_name: str = "contact", form=None, status=200):
    form = form or wizard.contact_form(v.draft)
    return page(v, "espace_prive/contact.html", "contact", _("Your contact details"),
                form=form, status=status, company=wizard.is_company(v.draft))


async def contact(request: Request) -> Response:
    v = await visit(request)
    if blocked := gate(v, "contact"):
        return blocked
    if request.method == "GET":
        return await contact_page(v)
    data = await read_form(request)
    v.keep(data, wizard.STEP_FIELDS["contact"])
    if exit_ := await early_exit(v, data, "identifier", "contact"):
        return exit_
    form = wizard.contact_form(v.draft, data)
    if not form.validate():
        await v.save()
        return await contact_page(v, form=form, status=422)
    cleaned = form.cleaned()
    v.draft.answers.update(email=cleaned["email"], mobile=cleaned["mobile"])
    await v.save()
    return await goto(v, after(v, "contact"))


# -- identity verification --------------------------------------------------------------------


def question_of(request: Request, v: Visit) -> str:
    question = request.path_params.get("question") or wizard.root_question(v.draft)
    if question not in wizard.QUESTIONS:
        raise HTTPException(404)
    return question


def verification_context(v: Visit, form) -> dict:
    return {
        "answers": v.draft.answers,
        "vform": form,
        "health_question": v.portal.text("health_question"),
        "chain": wizard.chain,
    }


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
        **verification_context(v, form),
    )


def mismatch_message(portal) -> str:
    return _(
        "The information you entered does not match our records. Check it and try again, or "
        "contact us: %(email)s, %(phone)s.",
        email=portal.branding.support_email,
        phone=portal.branding.support_phone,
    )


async def verification(request: Request) -> Response:
    v = await visit(request)
    if blocked := gate(v, "verification"):
        return blocked
    question = question_of(request, v)
    if not wizard.reachable(question, v.draft):
        return see_other(v.page_path("verification/" + wizard.root_question(v.draft)))
    here = f"verification/{question}"
    client = client_address(request)
    rules = limits.verification_rules(v.portal.id, wizard.identifier_of(v.draft) or "", client)
    locked = await limits.current_lock(rules)
    if request.method == "GET":
        return await verification_page(v, here, locked=locked, status=429 if locked else 200)
    data = await read_form(request)
    v.keep(data, wizard.STEP_FIELDS["verification"])
    previous = wizard.previous_question(question, v.draft)
    if exit_ := await early_exit(v, data, f"verification/{previous}" if previous else "contact",
                                 here):
        return exit_
    if locked:
        await v.save()
        return await verification_page(v, here, locked=locked, status=429)
    shown = [q for q in data.getlist("q") if q in wizard.QUESTIONS] or [question]
    for name in wizard.answer_fields(shown):
        if name not in data:
            v.draft.answers[name] = ""  # a question shown without an answer (no radio checked)
    await v.save()
    form = wizard.verification_form(v.draft)
    if not form.validate_questions(shown):
        return await verification_page(v, here, form=form, status=422)
    upcoming = wizard.following(shown[-1], v.draft.answers)
    if upcoming:
        return await goto(v, f"verification/{upcoming}")
    return await _verify(v, here, form, wizard.method_after(shown), client)


async def _verify(v: Visit, here: str, form, method: str | None, client: str) -> Response:
    if method is None or (method == "vitale" and not wizard.reachable("serial", v.draft)):
        return see_other(v.page_path("verification/" + wizard.root_question(v.draft)))
    try:
        result = await service.verify(v.portal.id, v.draft, method, client=client)
    except limits.Locked as locked:
        return await verification_page(v, here, locked=locked, status=429)
    if result is None:
        errors = [(None, mismatch_message(v.portal))]
        return await verification_page(v, here, form=form, errors=errors, status=422)
    if result.already_registered:
        v.draft = Draft(already=True)
        await v.save()
        return await goto(v, "already")
    v.draft.verified = wizard.Verified(
        member=result.member.pk,
        method=method,
        fingerprint=wizard.fingerprint(v.draft),
        registry_email=result.registry_email,
    )
    await v.save()
    return await goto(v, after(v, "verification"))


async def answer(request: Request) -> Response:
    """htmx: a radio answered; save it and answer the question that follows (or nothing)."""
    v = await visit(request)
    question = request.path_params["question"]
    if question not in ("health", "card", "other") or gate(v, "verification"):
        raise HTTPException(404)
    data = await read_form(request)
    v.keep(data, wizard.STEP_FIELDS["verification"])
    await v.save()
    if not is_partial(request):
        return see_other(v.page_path(f"verification/{question}"))
    form = wizard.verification_form(v.draft)
    upcoming = wizard.following(question, v.draft.answers)
    if not form.validate_questions([question]):
        upcoming = None
    # From a page showing errors, the whole step, morphed in (the focus stays on the answer);
    # not for a question put in place of another ("I cannot read this number").
    chain = wizard.chain(wizard.root_question(v.draft), v.draft.answers)
    if page_shows_errors(request) and question in chain:
        message = announcement(upcoming, v.portal) if upcoming else ""
        response = await verification_page(v, status_message=message)
        response.headers.update({"HX-Retarget": "#main", "HX-Reswap": "innerMorph"})
        return response
    if upcoming is None:
        return HTMLResponse("", headers={"Cache-Control": "no-store"})
    return _questions(v, form, upcoming)


def _questions(v: Visit, form, start: str) -> HTMLResponse:
    context = {"v": v, "start": start, **verification_context(v, form)}
    return render(v.request, "espace_prive/questions.html", context, block="questions",
                  status_message=announcement(start, v.portal))


# -- password delivery and recap, terms, done -------------------------------------------------


async def password_page(v: Visit, page_name: str = "password", form=None, status=200,
                        errors=(), headers=None):
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


async def password(request: Request) -> Response:
    v = await visit(request)
    if blocked := gate(v, "password"):
        return blocked
    if request.method == "GET":
        return await password_page(v)
    data = await read_form(request)
    if exit_ := await early_exit(v, data, "verification", "password"):
        return exit_
    if wizard.email_needs_proof(v.draft) and not wizard.email_proved(v.draft):
        return await prove_email(v, data)
    v.draft.password_seen = True
    await v.save()
    return await goto(v, "terms")


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
        return await goto(v, "terms")
    await v.save()
    if outcome == email_proof.SPENT:  # the page shows no code field: a message over it
        message = _("This code no longer works. Select “%(button)s” to receive a new code.",
                    button=_("Next"))
        return await password_page(v, status=422, errors=[(None, message)])
    form.email_code.data = ""
    return await code_refused(v, form, _("This is not the code we sent. Check it and type it "
                                         "again."))


async def code_refused(v: Visit, form: EmailCodeForm, message: str) -> Response:
    form.email_code.errors = [message]
    return await password_page(v, form=form, status=422, errors=[("email_code", message)])


async def send_code(v: Visit) -> Response:
    try:
        await email_proof.send_code(v.portal, v.draft, language=current_language.get(),
                                    secret_key=v.request.app.state.settings.secret_key)
    except limits.Locked as locked:
        message = _(
            "We have sent all the codes we can today for this registration. Try again "
            "tomorrow, or contact us: %(email)s, %(phone)s.",
            email=v.portal.branding.support_email, phone=v.portal.branding.support_phone)
        return await password_page(v, status=429, errors=[(None, message)],
                                   headers=journey.retry_headers(locked))
    await v.save()
    return await goto(v, "password")


async def terms_page(v: Visit, page_name: str = "terms", status=200, errors=(), headers=None):
    return page(v, "espace_prive/terms.html", "terms",
                _("Accept the general terms of use"), status=status, errors=errors,
                headers=headers, terms_url=v.page_path("terms_read"),
                version=v.portal.branding.policy_version)


async def terms(request: Request) -> Response:
    v = await visit(request)
    if blocked := gate(v, "terms"):
        return blocked
    if request.method == "GET":
        return await terms_page(v)
    data = await read_form(request)
    if exit_ := await early_exit(v, data, "password", "terms"):
        return exit_
    try:
        delivery = await service.register(
            v.portal,
            v.draft,
            language=current_language.get(),
            links=request.app.state.links,
            client=client_address(request),
        )
    except limits.Locked as locked:
        return await terms_page(v, status=429, headers=journey.retry_headers(locked),
                                errors=[(None, journey.registration_limit_message(locked))])
    if delivery == "already":
        v.draft = Draft(already=True)
    else:
        email = (wizard.contact_of(v.draft) or {}).get("email", "")
        v.draft = Draft(finished=wizard.Finished(delivery, email))
    await v.save()
    return await goto(v, "already" if delivery == "already" else "done")


async def terms_read(request: Request) -> Response:
    """The terms of use: a page, or (htmx) the dialog over the terms step."""
    v = await visit(request)
    context = {"back_url": v.page_path("terms"), "version": v.portal.branding.policy_version}
    return render(request, "espace_prive/terms_read.html", context, block="dialog", overlay=True)


async def done(request: Request) -> Response:
    v = await visit(request)
    finished = v.draft.finished
    if finished is None:
        return see_other(v.page_path())
    return page(v, "espace_prive/done.html", None, _("Registration complete"),
                postal=finished.delivery == "postal", email=finished.email)


async def already(request: Request) -> Response:
    v = await visit(request)
    return page(v, "espace_prive/already.html", None, _("You already have a private space"))


# -- abandon ----------------------------------------------------------------------------------


async def abandon(request: Request) -> Response:
    """Abandonner: a confirmation page (a dialog with htmx); confirming deletes the draft."""
    v = await visit(request)
    if request.method == "POST":
        await delete_draft(request, v.portal.id)
        return see_other(request.app.url_path_for(f"{v.portal.id}:home") + "?abandoned=1")
    came_from = request.query_params.get("from", "")
    if not came_from.startswith(v.page_path() + "/") or not _plain_path(came_from):
        came_from = v.page_path()
    context = {"back_url": came_from, "action": v.page_path("abandon")}
    return render(request, "espace_prive/abandon.html", context, block="dialog", overlay=True)


def _plain_path(path: str) -> bool:
    """A local path of letters, digits, / and - only (never an open redirect)."""
    return all(c.isascii() and (c.isalnum() or c in "/-") for c in path) and "//" not in path


PAGES = {
    "profile": profile_page,
    "identifier": identifier_page,
    "contact": contact_page,
    "verification": verification_page,
    "password": password_page,
    "terms": terms_page,
}


def routes() -> list[BaseRoute]:
    both = ["GET", "POST"]
    return [
        Route("/register", start, name="register"),
        Route("/register/profile", profile, methods=both, name="register_profile"),
        Route("/register/contact-us", contact_us, name="register_contact_us"),
        Route("/register/identifier", identifier, methods=both, name="register_identifier"),
        Route("/register/identifier/help", identifier_help, name="register_identifier_help"),
        Route("/register/contact", contact, methods=both, name="register_contact"),
        Route("/register/verification", verification, methods=both,
              name="register_verification"),
        Route("/register/verification/answer/{question}", answer, methods=["POST"],
              name="register_answer"),
        Route("/register/verification/{question}", verification, methods=both,
              name="register_verification_question"),
        Route("/register/password", password, methods=both, name="register_password"),
        Route("/register/terms", terms, methods=both, name="register_terms"),
        Route("/register/terms/read", terms_read, name="register_terms_read"),
        Route("/register/done", done, name="register_done"),
        Route("/register/already", already, name="register_already"),
        Route("/register/abandon", abandon, methods=both, name="register_abandon"),
    ]
