"""The requests a member's Chromium sends, captured to be replayed under load.

A real browser (JS on) opens the mss registration form, types as a member does and takes the
first espace-prive step; every request of interest is kept exactly as Chromium sent it: its
headers (cookie, Origin, Sec-Fetch-*, htmx's), and for a POST the whole form htmx serialises.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from e2e.helpers import launch_chromium

# Headers the replaying client writes itself (wrk computes the length and names the host).
OWN_HEADERS = {"host", "content-length", "connection"}


@dataclass(frozen=True)
class Captured:
    name: str
    method: str
    path: str
    headers: dict
    body: bytes = b""


def _kept(request, name: str) -> Captured:
    headers = {k: v for k, v in request.all_headers().items()
               if k.lower() not in OWN_HEADERS and not k.startswith(":")}
    body = (request.post_data or "").encode()
    return Captured(name, request.method, urlsplit(request.url).path, headers, body)


def capture(base_url: str) -> dict[str, Captured]:
    """name → request: the register page (first and repeat visit), the security block's
    three branches (no valid email, a valid one, typed on once the questions are shown), the
    draft save, an espace-prive step, a log-in form's POST."""
    from playwright.sync_api import sync_playwright

    from web.operations.demo import DEMO_PASSWORD, demo_identities

    found: dict[str, Captured] = {}
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            context = browser.new_context(locale="fr")
            page = context.new_page()
            page.set_default_timeout(15_000)

            def sent(name: str, path: str, action, method: str | None = None) -> None:
                def wanted(request) -> bool:
                    return urlsplit(request.url).path == path and method in (None, request.method)

                with page.expect_request(wanted) as request:
                    action()
                found[name] = _kept(request.value, name)
                page.wait_for_load_state("networkidle")

            register = base_url + "/mss/register"
            sent("register page, first visit", "/mss/register", lambda: page.goto(register))
            sent("register page, repeat visit", "/mss/register", lambda: page.goto(register))
            uid = page.locator("#uid")
            sent("register save (the same value again)", "/mss/register/save",
                 lambda: (uid.fill("000000042"), uid.press("Tab")))
            email = page.locator("#email")
            sent("security: no valid email yet", "/mss/register/security",
                 lambda: email.fill("jeanne.martin@"))
            sent("security: a valid email", "/mss/register/security",
                 lambda: email.fill("jeanne.martin@example.org"))
            page.locator("#security-shown").wait_for(state="attached")
            sent("security: typed on, questions shown", "/mss/register/security",
                 lambda: email.fill("jeanne.martin@example.fr"))

            sent("espace-prive step 1 → 2", "/espace-prive/register/profile", lambda: (
                page.goto(base_url + "/espace-prive/register"),
                page.locator("input[value=particulier]").check(),
                page.locator("button[name=action][value=next]").click(),
            ), method="POST")

            member = next(m for m in demo_identities("mss") if m.has_account)
            page.goto(base_url + "/mss/login")
            page.locator("#login").fill(member.login)
            page.locator("#password").fill(DEMO_PASSWORD)
            sent("log-in (argon2)", "/mss/login",
                 lambda: page.locator("main button[type=submit]").first.click())
            context.close()
        finally:
            browser.close()
    return found
