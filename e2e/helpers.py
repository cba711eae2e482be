"""Helpers for the browser tests: languages and JavaScript modes, axe, screenshots, the
keyboard."""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page

from e2e import audit, html_check
from web import i18n
from web.branding import Portal, load_portals
from web.settings import Settings

LOCALES = {"fr": "fr-FR", "en": "en-GB"}
# JavaScript on and off; `-m nojs` selects the runs without it.
JS_MODES = [pytest.param(True, id="js-on"),
            pytest.param(False, id="js-off", marks=pytest.mark.nojs)]


def t(lang: str, text: str, **variables) -> str:
    """The interface text in ``lang``, from the catalogs the server uses (read once: a
    reading parses every .po file, some 0.1 s of CPU, and the suite asks thousands of texts)."""
    with i18n.use_language(lang):
        return i18n.gettext(text, **variables)


@functools.cache
def portals() -> dict[str, Portal]:
    """The portals as the server under test brands them (``ESPACE_BRANDING_FILE``)."""
    return load_portals(Settings.from_env())


def portal_text(portal_id: str, lang: str, name: str = "name") -> str:
    """A portal's branding text (its name by default) in ``lang``."""
    with i18n.use_language(lang):
        return portals()[portal_id].text(name)
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


def launch_chromium(playwright):
    """Debian's Chromium (``CHROMIUM_PATH``), headless, for the scripts outside the suite
    (the suite's browser comes from pytest-playwright's options)."""
    return playwright.chromium.launch(
        executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        headless=True,
        args=CHROMIUM_ARGS,
    )

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

_axe = Axe()  # the axe.min.js bundled with axe-playwright-python


def assert_accessible(page: Page, state: str = "") -> None:
    """Run axe (WCAG 2.0/2.1/2.2 A and AA rules) on the page as it is now; fail listing
    every violation: rule, impact, help, and each offending element's selector."""
    js = _timers_run(page)
    if not js:
        # JavaScript is off: Playwright can still evaluate, and microtasks run, but timers
        # never fire, and axe schedules its work with setTimeout.
        page.evaluate(MICROTASK_TIMERS)
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    run = f"window.axe ? axe.run({json.dumps(options)}) : null"
    result = page.evaluate(run)  # axe stays through an htmx swap, not a page load
    if result is None:
        page.evaluate(_axe.axe_script)
        result = page.evaluate(run)
    violations = result["violations"]
    html_check.record(page, state or page.url)
    audit.record(page, state or page.url, result, js)
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
    """Whether timers fire in this page: found out once per page (JavaScript is on or off for
    the page's whole life), not at every axe run."""
    if not hasattr(page, "_e2e_timers_run"):
        page._e2e_timers_run = _probe_timers(page)
    return page._e2e_timers_run


def _probe_timers(page: Page) -> bool:
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


# Screens are saved only when asked (``--save-screens``, set by e2e/conftest.py): a full-page
# PNG costs the browser some 0.2 s, at each of the hundreds of screens a run shows.
saving_screens = False


def screenshot(
    page: Page, portal: str, lang: str, number: int, step: str, *, js: bool = True
) -> Path | None:
    """With ``--save-screens``, save ``e2e/artifacts/<portal>/<lang>/<NN>-<step>.png``
    (``-nojs`` without JS)."""
    if not saving_screens:
        return None
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
