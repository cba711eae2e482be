"""What the benchmark weighs and loads. Add your journey's pages and fragments here.

A ``Page`` is fetched as a first visit (Chromium's Accept-Encoding, no cookie unless
``login`` names a portal whose demo member logs in first). A ``Fragment`` is requested the
way htmx does (``HX-Request: true``, ``HX-Request-Type: partial``) by a visitor who has just
opened ``origin`` (its cookie, its CSRF token, its draft). A page answering another status than
the one it expects, or a fragment answering 404, is reported, not measured.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    login: str | None = None  # portal id: log its first demo account in before fetching
    status: int = 200  # what it answers (an error page is weighed too)


@dataclass(frozen=True)
class Fragment:
    name: str
    path: str
    origin: str  # the page the request is made from
    method: str = "GET"
    data: tuple[tuple[str, str], ...] = ()  # POST fields (the CSRF token is added)


PAGES = [
    Page("portal list", "/"),
    Page("mss home", "/mss/"),
    Page("mss log-in", "/mss/login"),
    Page("mss forgot password", "/mss/forgot"),
    Page("mss forgot password: mail sent", "/mss/forgot/sent"),
    Page("mss reset link invalid or used", "/mss/reset/no-such-token", status=410),
    Page("mss accessibility statement", "/mss/accessibilite"),
    Page("mss member space", "/mss/account", login="mss"),
    Page("mss change password", "/mss/account/password", login="mss"),
    Page("mss registration form", "/mss/register"),
    Page("mss policy", "/mss/register/policy"),
    Page("mss UID help", "/mss/register/uid"),
    Page("espace-prive home", "/espace-prive/"),
    Page("espace-prive log-in", "/espace-prive/login"),
    Page("espace-prive forgot password", "/espace-prive/forgot"),
    Page("espace-prive accessibility statement", "/espace-prive/accessibilite"),
    Page("espace-prive member space", "/espace-prive/account", login="espace-prive"),
    Page("espace-prive step 1: profile", "/espace-prive/register/profile"),
    Page("espace-prive identifier help", "/espace-prive/register/identifier/help"),
    Page("espace-prive policy", "/espace-prive/register/terms/read"),
    Page("page not found", "/mss/no-such-page", status=404),
]


def posted(name: str, path: str, origin: str, **fields: str) -> Fragment:
    """A fragment htmx POSTs from ``origin`` with ``fields`` (in this order)."""
    return Fragment(name, path, origin, "POST", tuple(fields.items()))


MSS_FORM = "/mss/register"
ESPACE_PRIVE_GUIDE = "/espace-prive/register"

FRAGMENTS = [
    posted("mss security (email typed)", "/mss/register/security", MSS_FORM,
           email="jeanne.martin@example.org"),
    Fragment("mss policy dialog", "/mss/register/policy", MSS_FORM),
    posted("mss security question 1/2 (Verify, demo member 000000042)", "/mss/register/verify",
           MSS_FORM, uid="000000042", first_names="Jean-Baptiste Marie",
           last_name="de La Tour d'Auvergne", birth_day="29", birth_month="2", birth_year="1948",
           email="jb.delatour@example.org", email_confirm="jb.delatour@example.org"),
    posted("mss verify with missing fields (the form with its errors)", "/mss/register/verify",
           MSS_FORM, uid="000000042", email="someone@example.org"),
    posted("mss policy accepted (the policy line)", "/mss/register/policy", MSS_FORM,
           action="accept"),
    Fragment("espace-prive step 1: profile", "/espace-prive/register/profile",
             ESPACE_PRIVE_GUIDE),
    posted("espace-prive step 2: identifier (profile answered)", "/espace-prive/register/profile",
           ESPACE_PRIVE_GUIDE, profile="particulier", action="next"),
    Fragment("espace-prive policy dialog", "/espace-prive/register/terms/read", ESPACE_PRIVE_GUIDE),
    posted("password requirements (live)", "/mss/password-feedback", "/mss/login",
           password="lanterne vélo marée", feedback_for=""),  # noqa: S106 - typed, no secret
]

# The page timed while log-ins run.
LOAD_PAGE = Page("mss home", "/mss/")
