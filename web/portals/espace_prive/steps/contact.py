"""Guide step 3: names, date of birth (of creation, for a company), email and mobile."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from web.forms import FormData
from web.i18n import gettext as _
from web.portals import journey
from web.portals.espace_prive import wizard
from web.portals.espace_prive.visit import Visit, page, shows, visit


@shows("contact")
async def show(v: Visit, page_name: str = "contact", form=None, status=200):
    return page(v, "espace_prive/contact.html", "contact", _("Your contact details"),
                form=form or wizard.contact_form, status=status,
                company=wizard.is_company(v.draft), constant=True)


async def submit(v: Visit, data: FormData) -> Response:
    form = wizard.contact_form(v.draft, data)
    if not form.validate():
        await v.save()
        return await show(v, form=form, status=422)
    cleaned = form.cleaned()
    v.draft.fields.update(email=cleaned["email"], mobile=cleaned["mobile"])
    await v.save()
    return await v.goto(v.after("contact"))


STEP = journey.Step("contact", show, submit, back="identifier")


async def contact(request: Request) -> Response:
    return await journey.run(await visit(request), STEP)
