"""Guide step 2: the social security number (or the SIRET of a company)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from web.forms import FormData
from web.i18n import gettext as _
from web.portals import journey
from web.portals.espace_prive import checks, wizard
from web.portals.espace_prive.visit import Visit, page, shows, visit


@shows("identifier")
async def show(v: Visit, page_name: str = "identifier", form=None, status=200, errors=()):
    return page(v, "espace_prive/identifier.html", "identifier", _("Your identifier"),
                form=form or wizard.identifier_form, errors=errors, status=status,
                company=wizard.is_company(v.draft), constant=True)


async def submit(v: Visit, data: FormData) -> Response:
    form = wizard.identifier_form(v.draft, data)
    errors = refusal(v, form, data)
    if errors is None:
        v.draft.fields["identifier"] = checks.format_identifier(form.value)  # shown as printed
    await v.save()  # what was typed, or its printed form: one write
    if errors is not None:
        return await show(v, form=form, status=422, errors=errors)
    return await v.goto(v.after("identifier"))


def refusal(v: Visit, form, data: FormData) -> list | None:
    """Why the identifier sent is refused (the form's own errors: []), or None."""
    if not form.validate():
        return []
    if data.get("website"):  # the honeypot: filled by a robot (or an over-eager autofill)
        return [(None, _("Please check your entry, then send the form again."))]
    if journey.too_fast(v.request, v.draft):
        return [(None, _("The form was sent too quickly after it appeared. Wait a moment, then "
                         "select “%(button)s” again.", button=_("Next")))]
    return None


STEP = journey.Step("identifier", show, submit, back="profile")


async def identifier(request: Request) -> Response:
    return await journey.run(await visit(request), STEP)
