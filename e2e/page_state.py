"""The state a page shows a screen-reader user, and its comparison with a reload of its URL.

After an htmx swap the page must be what a full load of the same URL shows: the title, the
error summary, the fields marked invalid, the live region, the questions its form asks (its
legends and fields shown, in order). ``SwapWatch`` records what each htmx response announced in
the live region (``#status``): a swap may say something a reload does not (that is the point
of the region), but never keep what an earlier swap said.
"""

from __future__ import annotations

import html
import re
import time
from dataclasses import dataclass

from playwright.sync_api import BrowserContext, Page, Response

from e2e import html_check

STATE = """() => ({
  title: document.title,
  summary: [...document.querySelectorAll(".error-summary li")].map(li => {
    const link = li.querySelector("a");
    return [link ? link.getAttribute("href") : null, li.textContent.trim()];
  }),
  invalid: [...document.querySelectorAll('[aria-invalid="true"]')].map(el => el.id).sort(),
  inlineErrors: [...document.querySelectorAll(".field-error")].map(el => el.id).sort(),
  status: (document.getElementById("status") || {}).textContent.trim(),
  controls: [...document.querySelectorAll("main form :is(legend, input, select, textarea, button)")]
    .filter(el => el.checkVisibility())  // not a hidden input, a closed dialog, [hidden]
    .map(el => el.matches("legend") ? "legend: " + el.textContent.trim() : el.type + " " + el.name),
})"""

# What the error summary does not lead to: fields marked invalid and inline messages. A link
# leads to its target, the radios of its group, and the fieldset around it (a date's parts).
UNLISTED = """() => {
  const targets = [...document.querySelectorAll(".error-summary a[href^='#']")]
    .map(a => document.getElementById(a.getAttribute("href").slice(1))).filter(Boolean);
  const fieldset = el => el.closest("fieldset");
  const listed = el => targets.some(t => t === el || (t.name && t.name === el.name)
    || el.contains(t) || (fieldset(t) && fieldset(t) === fieldset(el)));
  const describing = message => [...document.querySelectorAll("[aria-describedby]")]
    .filter(el => el.getAttribute("aria-describedby").split(/\\s+/).includes(message.id));
  return {
    invalid: [...document.querySelectorAll('[aria-invalid="true"]')].filter(el => !listed(el))
      .map(el => el.id),
    messages: [...document.querySelectorAll(".field-error")]
      .filter(m => !describing(m).some(listed)).map(m => m.id),
  };
}"""

STATUS_PARTIAL = re.compile(r'<hx-partial hx-target="#status"[^>]*>(.*?)</hx-partial>', re.S)


@dataclass
class PageState:
    title: str
    summary: list
    invalid: list
    inlineErrors: list  # noqa: N815 - the name the page script returns
    status: str
    controls: list  # the questions the page's form asks: its legends and fields, in order

    def without_status(self) -> dict:
        return {k: v for k, v in vars(self).items() if k != "status"}


# htmx marks an element while its request is in flight, then its target while the answer is
# swapped in and settled.
HTMX_BUSY = "() => Boolean(document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling'))"


def settle(page: Page, timeout: float = 10) -> None:
    """Wait until htmx has no request in flight and nothing left to swap: what waiting for
    the network to be quiet (Playwright's networkidle, 500 ms of nothing at the least) was
    for. Polled from here, not with wait_for_function: without JavaScript no timer fires (and
    no htmx runs)."""
    deadline = time.monotonic() + timeout
    while page.evaluate(HTMX_BUSY):
        assert time.monotonic() < deadline, f"htmx still busy after {timeout} s on {page.url}"
        page.wait_for_timeout(20)


def state_of(page: Page) -> PageState:
    settle(page)
    html_check.record(page, f"swap state of {page.url}")
    return PageState(**page.evaluate(STATE))


class SwapWatch:
    """Counts the htmx responses of a page and keeps what the last one announced."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.swaps = 0
        self.announced: str | None = None
        self.status_code = 0
        page.on("response", self._seen)

    def _seen(self, response: Response) -> None:
        if response.request.headers.get("hx-request") != "true" or response.status == 204:
            return
        self.swaps += 1
        self.status_code = response.status
        try:
            body = response.text()
        except Exception:  # noqa: BLE001 - a redirect or a body gone with the page
            body = ""
        found = STATUS_PARTIAL.search(body)
        if found:  # a response without the live region's partial leaves it as it was
            self.announced = html.unescape(found.group(1)).strip()

    def reload_state(self, context: BrowserContext) -> PageState:
        """The same URL, loaded in a new tab of the same browser (same cookies and draft)."""
        other = context.new_page()
        try:
            other.goto(self.page.url.split("#")[0])
            return state_of(other)
        finally:
            other.close()

    def assert_same_as_reload(self, context: BrowserContext, where: str) -> PageState:
        swapped = state_of(self.page)
        reloaded = self.reload_state(context)
        assert swapped.without_status() == reloaded.without_status(), (
            f"{where}: the page after the swap differs from a reload of {self.page.url}\n"
            f"  swapped:  {swapped.without_status()}\n  reloaded: {reloaded.without_status()}"
        )
        allowed = {reloaded.status, self.announced or reloaded.status}
        assert swapped.status in allowed, (
            f"{where}: the live region says {swapped.status!r}; this swap announced "
            f"{self.announced!r} and a reload says {reloaded.status!r}"
        )
        self.announced = None
        return swapped


def assert_error_state_is_whole(page: Page, error_prefix: str, where: str) -> None:
    """A page showing errors shows them everywhere: the title says so, each invalid field
    and each inline message is one the summary links to."""
    state = state_of(page)
    assert state.summary, f"{where}: no error summary"
    assert state.title.startswith(error_prefix), f"{where}: title {state.title!r}"
    unlisted = page.evaluate(UNLISTED)
    assert not unlisted["invalid"], f"{where}: invalid, not in the summary: {unlisted}"
    assert not unlisted["messages"], f"{where}: inline messages not in the summary: {unlisted}"
