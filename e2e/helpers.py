"""Helpers for the browser tests: axe, screenshots, the dev mailbox, the keyboard."""

from __future__ import annotations

import html
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page

from e2e import html_check
from web import i18n
from web.portals.base import DEFAULT_PORTALS

LOCALES = {"fr": "fr-FR", "en": "en-GB"}


def t(lang: str, text: str, **variables) -> str:
    """The interface text in ``lang``, from the catalogs the server uses."""
    i18n.load_catalogs()
    with i18n.use_language(lang):
        return i18n.gettext(text, **variables)


def portal_text(portal_id: str, lang: str, name: str = "name") -> str:
    """A portal's branding text (its name by default) in ``lang``."""
    i18n.load_catalogs()
    with i18n.use_language(lang):
        return DEFAULT_PORTALS[portal_id].text(name)
# Debian's Chromium, headless, as root in a container, without background traffic.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

_axe = Axe()  # the axe.min.js bundled with axe-playwright-python


def assert_accessible(page: Page, state: str = "") -> None:
    """Run axe (WCAG 2.0/2.1/2.2 A and AA rules) on the page as it is now; fail listing
    every violation: rule, impact, help, and each offending element's selector."""
    if not _timers_run(page):
        # JavaScript is off: Playwright can still evaluate, and microtasks run, but timers
        # never fire, and axe schedules its work with setTimeout.
        page.evaluate(MICROTASK_TIMERS)
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    if not page.evaluate("() => Boolean(window.axe)"):  # not again after an htmx swap
        page.evaluate(_axe.axe_script)
    violations = page.evaluate(f"axe.run({json.dumps(options)})")["violations"]
    html_check.record(page, state or page.url)
    if violations:
        raise AssertionError(
            f"{len(violations)} axe violation(s) on {state or page.url}:\n"
            + "\n".join(describe_violation(v) for v in violations)
        )


MICROTASK_TIMERS = """() => {
  window.setTimeout = (callback, _delay, ...args) => {
    Promise.resolve().then(() => callback(...args));
    return 0;
  };
  window.clearTimeout = () => {};
}"""


def _timers_run(page: Page) -> bool:
    page.evaluate(
        "() => { window.__e2eTick = false; setTimeout(() => { window.__e2eTick = true }) }"
    )
    for _ in range(20):
        if page.evaluate("() => window.__e2eTick"):
            return True
        page.wait_for_timeout(10)
    return False


def describe_violation(violation: dict) -> str:
    lines = [
        f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>"
    ]
    for node in violation["nodes"]:
        summary = " ".join((node.get("failureSummary") or "").split())
        lines.append(f"    {', '.join(map(str, node['target']))}: {summary}")
    return "\n".join(lines)


def screenshot(
    page: Page, portal: str, lang: str, number: int, step: str, *, js: bool = True
) -> Path:
    """Save ``e2e/artifacts/<portal>/<lang>/<NN>-<step>.png`` (``-nojs`` without JS)."""
    path = ARTIFACTS / portal / lang / f"{number:02d}-{step}{'' if js else '-nojs'}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=path, full_page=True)
    return path


FOCUS_STYLE = """el => {
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
    shadow: style.boxShadow !== "none",
    onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < innerHeight,
  };
}"""


def tab_to(page: Page, role: str, name: str, *, max_tabs: int = 40) -> Locator:
    """Press Tab until the element with this role and accessible name has focus, then check
    that the focus is visible (an outline or a focus ring, on screen). Returns its locator."""
    target = page.get_by_role(role, name=name, exact=True)
    for _ in range(max_tabs):
        page.keyboard.press("Tab")
        if target.evaluate_all("els => els.includes(document.activeElement)"):
            focused = page.locator("*:focus")
            style = focused.evaluate(FOCUS_STYLE)
            assert style["onScreen"], f"{role} {name!r} has focus but is off screen"
            assert style["outline"] or style["shadow"], f"{role} {name!r}: focus is not visible"
            return focused
    raise AssertionError(f"{role} {name!r} never received focus after {max_tabs} Tab presses")


@dataclass
class Mail:
    id: int
    subject: str
    text: str
    links: list[str]


class Mailbox:
    """The development mailbox (/dev/mailbox/), read as a person would: the list, newest
    first, then one mail's page with its links."""

    ITEM = re.compile(r'<li class="mailbox__item">(.*?)</li>', re.S)
    MAIL_LINK = re.compile(r'href="/dev/mailbox/(\d+)"[^>]*>(.*?)</a>', re.S)
    TEXT = re.compile(r'<pre class="mailbox-text"[^>]*>(.*?)</pre>', re.S)
    HREF = re.compile(r'<a href="([^"]+)"')

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def _get(self, path: str) -> str:
        response = httpx.get(self.base_url + path, timeout=10)
        response.raise_for_status()
        return response.text

    def latest_id(self, address: str) -> int:
        """The id of the newest mail to ``address`` (0 when there is none): pass it as
        ``after`` to ``newest`` to wait for the mail an action is about to send."""
        for mail_id, _subject, to in self._list():
            if to == address.lower():
                return mail_id
        return 0

    def _list(self) -> list[tuple[int, str, str]]:
        found = []
        for item in self.ITEM.findall(self._get("/dev/mailbox/")):
            link = self.MAIL_LINK.search(item)
            to = re.search(r"[\w.+'-]+@[\w.-]*\w", html.unescape(re.sub(r"<[^>]+>", " ", item)))
            if link and to:
                found.append(
                    (int(link.group(1)), html.unescape(link.group(2)).strip(), to.group(0).lower())
                )
        return found

    def newest(self, address: str, *, after: int = 0, timeout: float = 10) -> Mail:
        """The newest mail to ``address`` with an id above ``after``, waiting for it (mail is
        often written after the answer is sent)."""
        deadline = time.monotonic() + timeout
        while True:
            for mail_id, subject, to in self._list():
                if to == address.lower() and mail_id > after:
                    return self.read(mail_id, subject)
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"no new mail to {address} in the dev mailbox after {timeout} s"
                )
            time.sleep(0.2)

    def read(self, mail_id: int, subject: str = "") -> Mail:
        page = self._get(f"/dev/mailbox/{mail_id}")
        match = self.TEXT.search(page)
        assert match, f"mail {mail_id} has no text part"
        links = [html.unescape(href) for href in self.HREF.findall(match.group(1))]
        text = html.unescape(re.sub(r"<[^>]+>", "", match.group(1)))
        return Mail(mail_id, subject, text, links)
