"""What the pages show of the draft: the recap before submitting (RGAA 11.12), announcements."""

from __future__ import annotations

from web.i18n import format_day
from web.i18n import gettext as _
from web.portals.espace_prive import checks, wizard
from web.portals.espace_prive.forms import PROFILES


def method_label(method: str | None) -> str:
    return {
        "vitale": _("Serial number of your Carte Vitale"),
        "iban": _("IBAN of your bank account"),
        "postal": _("None: provisional password by post"),
    }.get(method or "", "")


def profile_label(code: str | None) -> str:
    profile = PROFILES.get(code or "")
    return str(profile.label) if profile else ""


def recap_rows(v) -> list[tuple]:
    """(label, value, change link, None) rows of every answer; each link comes back here."""
    draft = v.draft
    company = wizard.is_company(draft)
    contact = wizard.contact_of(draft) or {}
    identifier = wizard.identifier_of(draft) or ""

    def change(page: str, anchor: str) -> str:
        return v.page_path(page, f"?back=password#{anchor}")

    born = contact.get("birth_date")
    rows = [
        (_("You are"), profile_label(draft.fields.get("profile")),
         change("profile", "profile-0")),
        (
            _("SIRET number") if company else _("Social security number"),
            checks.format_identifier(identifier),
            change("identifier", "identifier"),
        ),
        (_("Company name") if company else _("Last name"), contact.get("last_name"),
         change("contact", "last_name")),
    ]
    if not company:
        rows.append((_("First name"), contact.get("first_names"), change("contact", "first_names")))
    rows += [
        (
            _("Date of creation of the company") if company else _("Date of birth"),
            format_day(born) if born else "",
            change("contact", "birth_day"),
        ),
        (_("Email address"), contact.get("email"), change("contact", "email")),
        (
            _("Mobile phone number"),
            checks.format_mobile(contact["mobile"]) if contact.get("mobile") else "",
            change("contact", "mobile"),
        ),
        (
            _("Identity verified with"),
            method_label(getattr(wizard.verified(draft), "method", None)),
            change("verification", "heading"),
        ),
    ]
    return [(label, value, href, None) for label, value, href in rows]


def announcement(question: str, portal) -> str:
    """Said by the live region when a follow-up question appears under an answer."""
    names = {
        "health": portal.text("health_question"),
        "card": _("Your Carte Vitale is…"),
        "serial": _("Serial number of your Carte Vitale"),
        "other": _("Which of these can you give?"),
        "iban": _("IBAN"),
        "postal": _("Your password will be sent by post"),
    }
    return _("New question below: %(question)s", question=names.get(question, ""))
