"""The guides' steps as code: one module per journey (``mss``, ``espace_prive``), one method
per guide step, named after it, carrying the guide's sentence in French and English.

A journey runs in a page for one member, language and JavaScript mode, and reads the member's
mail where it arrives (``e2e/mail.py``). At each screen a step ``show``s the control the
member is to use: the tests run axe there (and save a screenshot with ``--save-screens``),
``make guides`` (``e2e/guides.py``) keeps it, outlined, for the illustrated guide.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from dataclasses import dataclass

from playwright.sync_api import Locator, Page

from e2e.helpers import assert_accessible, portal_text, screenshot, t
from web.operations.demo import DemoMember


def fill_seconds(default: float) -> float:
    """How long the server under test wants a form shown before it is sent (else a robot):
    ESPACE_MIN_FILL_SECONDS, which the suite's own server is started with, or the form's own
    ``default``."""
    value = os.environ.get("ESPACE_MIN_FILL_SECONDS", "")
    return float(value) if value.strip() else default


@dataclass(frozen=True)
class GuideStep:
    """One step of a guide: its number and the sentence telling the member what to do
    (``{site}`` stands for the portal's name)."""

    number: int
    name: str
    fr: str
    en: str

    def sentence(self, lang: str, site: str) -> str:
        return getattr(self, lang).format(site=site)


def guide_step(number: int, *, fr: str, en: str) -> Callable:
    """Make a journey method guide step ``number``; while it runs, ``journey.step`` is it."""

    def decorate(method: Callable) -> Callable:
        step = GuideStep(number, method.__name__, fr, en)

        @functools.wraps(method)
        def run(journey: Journey, *args, **kwargs):
            outer, journey.step = journey.step, step
            try:
                return method(journey, *args, **kwargs)
            finally:
                journey.step = outer

        run.guide_step = step
        return run

    return decorate


class Journey:
    """A guide's steps for one member, language and JavaScript mode."""

    portal = ""

    def __init__(self, page: Page, lang: str, js: bool, member: DemoMember, mail,
                 *, shots: str = "") -> None:
        self.page, self.lang, self.js, self.member = page, lang, js, member
        self.mail = mail  # where the member's mail arrives (e2e/mail.py)
        self.shots = shots  # a prefix for the screenshots of a variant
        self.mails_before = 0  # the newest mail to the member before it was sent one
        self.step: GuideStep | None = None
        self.recorder = None  # e2e/guides.py: keeps each screen for the illustrated guide

    @classmethod
    def guide_steps(cls) -> list[GuideStep]:
        """The guide's steps in order (a subclass may override a step's method)."""
        steps = {name: value.guide_step for klass in reversed(cls.__mro__)
                 for name, value in vars(klass).items() if hasattr(value, "guide_step")}
        return sorted(steps.values(), key=lambda step: step.number)

    def follow(self) -> None:
        """Every guide step, in order."""
        for step in self.guide_steps():
            getattr(self, step.name)()

    # --- what the steps use ---------------------------------------------------------------

    def t(self, text: str, **variables) -> str:
        return t(self.lang, text, **variables)

    @property
    def site(self) -> str:
        return portal_text(self.portal, self.lang)

    def show(self, screen: str, control: Locator | None = None) -> None:
        """This screen of the current step, with ``control`` the one to use: with
        ``--save-screens`` a screenshot (``e2e/artifacts/<portal>/<lang>/<NN>-<screen>
        [-nojs].png``), and the guide's image when a recorder is attached."""
        number = self.step.number if self.step else 0
        screenshot(self.page, self.portal, self.lang, number, self.shots + screen, js=self.js)
        if self.recorder:
            self.recorder.keep(self, screen, control)

    def check(self, state: str) -> None:
        assert_accessible(self.page, f"{self.portal} {state} ({self.lang}, "
                                     f"{'js' if self.js else 'no js'})")

    def heading(self) -> Locator:
        return self.page.get_by_role("heading", level=1)

    def field(self, label: str) -> Locator:
        """The input labelled ``label`` (its required marker " *" aside)."""
        return self.page.get_by_label(re.compile("^" + re.escape(self.t(label)) + r"( \*)?$"))

    def button(self, label: str) -> Locator:
        return self.page.get_by_role("button", name=self.t(label), exact=True)

    def link(self, label: str, **variables) -> Locator:
        return self.page.get_by_role("link", name=self.t(label, **variables), exact=True)
