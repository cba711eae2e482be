"""Scripted journeys whose transferred bytes the benchmark measures in Chromium, JS on and off.

Add yours with ``@journey("name", budget_js=…, budget_nojs=…)`` on a function taking the
Playwright page (fresh context: empty cache, no cookie) and the ``Run`` (base URL, JS mode,
language, the dev mailbox, unused demo accounts). Drive it as a member would: every request the
page makes is counted; reading the dev mailbox (``run.mailbox``) is not. ``run.screen(page)``
finds the main region's buttons, textboxes and links by their label in the run's language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from playwright.sync_api import Locator, Page, expect

from e2e.mail import DevMailbox
from web import i18n
from web.operations.demo import DemoMember, demo_identities


@dataclass
class Run:
    base_url: str
    js: bool
    lang: str
    mailbox: DevMailbox
    used: set = field(default_factory=set)

    def member(self, portal: str) -> DemoMember:
        """A demo member with an account that no journey of this bench run has used yet
        (a reset mail can be asked once a minute per account)."""
        return self.unused(portal, lambda m: m.has_account and m.email, "unused demo account")

    def unused(self, portal: str, fits, what: str) -> DemoMember:
        """The first demo member of ``portal`` that ``fits`` and that no journey of this bench
        run has used yet, now used; ``what`` names it when none is left."""
        for member in demo_identities(portal):
            if fits(member) and member.identifier not in self.used:
                self.used.add(member.identifier)
                return member
        raise RuntimeError(f"no {what} left on {portal}")

    def t(self, text: str, **variables) -> str:
        with i18n.use_language(self.lang):
            return i18n.gettext(text, **variables)

    def screen(self, page: Page) -> Screen:
        return Screen(page, self.t)


@dataclass(frozen=True)
class Screen:
    """``page`` as a member reads it: the controls of its main region by their label (an
    English msgid, translated as the run's language has it) and its one h1."""

    page: Page
    t: Callable[..., str]

    @property
    def main(self) -> Locator:
        return self.page.get_by_role("main")

    @property
    def heading(self) -> Locator:
        return self.page.get_by_role("heading", level=1)

    def button(self, label: str) -> Locator:
        return self.main.get_by_role("button", name=self.t(label), exact=True)

    def link(self, label: str) -> Locator:
        return self.main.get_by_role("link", name=self.t(label), exact=True)

    def textbox(self, label: str, *, exact: bool = True) -> Locator:
        return self.main.get_by_role("textbox", name=self.t(label), exact=exact)

    def labelled(self, label: str) -> Locator:
        """The control (a radio, a checkbox) labelled ``label``."""
        return self.main.get_by_label(self.t(label), exact=True)


@dataclass(frozen=True)
class Journey:
    name: str
    script: Callable[[Page, Run], None]
    budget_js: int | None = None  # bytes
    budget_nojs: int | None = None


JOURNEYS: list[Journey] = []


def journey(name: str, *, budget_js: int | None = None, budget_nojs: int | None = None):
    def register(script: Callable[[Page, Run], None]) -> Callable[[Page, Run], None]:
        JOURNEYS.append(Journey(name, script, budget_js, budget_nojs))
        return script

    return register


@journey("mss forgot password → reset → log in → log out")
def forgot_reset_login(page: Page, run: Run) -> None:
    member, t = run.member("mss"), run.t
    page.goto(run.base_url + "/mss/")
    page.get_by_role("link", name=t("Forgot your password?")).click()
    before = run.mailbox.latest_id(member.email)
    page.get_by_role("textbox", name=t("Email address"), exact=True).fill(member.login)
    page.get_by_role("button", name=t("Send me a link")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Check your email"))
    mail = run.mailbox.newest(member.email, after=before)
    page.goto(next(link for link in mail.links if "/mss/reset/" in link))
    password = "lanterne vélo marée haute 1979"  # noqa: S105 - the journey's new password
    page.get_by_role("textbox", name=t("New password"), exact=True).fill(password)
    page.get_by_role("textbox", name=t("Confirm the new password"), exact=True).fill(password)
    page.get_by_role("button", name=t("Save my new password")).click()
    page.get_by_role("textbox", name=t("Email address"), exact=True).fill(member.login)
    page.get_by_role("textbox", name=t("Password"), exact=True).fill(password)
    page.get_by_role("main").get_by_role("button", name=t("Log in"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(member.first_names)
    page.get_by_role("main").get_by_role("button", name=t("Log out")).click()
    expect(page.get_by_text(t("You are logged out."))).to_be_visible()


# Chrome DevTools' "Slow 3G" as SPEC §7 states it: 400 ms round trip, 50 kB/s each way.
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 50_000,
           "uploadThroughput": 50_000}


def transferred_bytes(browser, run: Run, script: Callable[[Page, Run], None], *,
                      network: dict | None = None) -> tuple[int, int]:
    """Run ``script`` in a fresh context; (bytes, round trips) as Chromium had them: the
    encodedDataLength of every response, redirects included (compressed bodies and headers),
    and the requests that went to the network (a redirect's hops each; cache hits none).
    ``network``: conditions to emulate (``Network.emulateNetworkConditions``), e.g. SLOW_3G."""
    context = browser.new_context(java_script_enabled=run.js, locale=run.lang)
    try:
        page = context.new_page()
        page.set_default_timeout(60_000 if network else 15_000)
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        if network:
            cdp.send("Network.emulateNetworkConditions", network)
        received: list[int] = []
        sent: list[str] = []  # request ids, once per hop (a redirect is a hop of its own)
        cached: set[str] = set()  # answered by the browser's caches: no round trip
        cdp.on("Network.loadingFinished", lambda event: received.append(event["encodedDataLength"]))
        cdp.on("Network.requestServedFromCache", lambda event: cached.add(event["requestId"]))
        cdp.on("Network.responseReceived", lambda event: (
            cached.add(event["requestId"]) if event["response"].get("fromDiskCache") else None))

        def on_sent(event: dict) -> None:
            sent.append(event["requestId"])
            if "redirectResponse" in event:  # a 303 after a POST has no loadingFinished
                received.append(event["redirectResponse"]["encodedDataLength"])

        cdp.on("Network.requestWillBeSent", on_sent)
        script(page, run)
        page.wait_for_load_state("networkidle")
        return int(sum(received)), sum(1 for request in sent if request not in cached)
    finally:
        context.close()


from bench import journey_espace_prive, journey_mss  # noqa: E402, F401, I001 - registers the journeys
