"""The guide "Comment s'inscrire à l'Espace Client" in a real browser: steps 1 to 10
(e2e/journeys/mss.py), one demo member per language and JavaScript mode, from the portal home
to their member space. With ``--save-screens`` each screen is saved in
``e2e/artifacts/mss/<lang>/``.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from e2e.journeys.mss import JOURNEY_MEMBERS, Guide, demo

pytestmark = [pytest.mark.mss, pytest.mark.usefixtures("fresh_counters")]


def test_guide_mss(lang_page: Page, lang: str, js: bool, mail) -> None:
    """Guide steps 1–10, fr and en, with JavaScript on and off."""
    Guide(lang_page, lang, js, demo(JOURNEY_MEMBERS[lang, js]), mail).follow()
