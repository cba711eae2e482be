"""``make guides`` (e2e/guides.py): for a portal and a language it writes an illustrated guide
with one section per guide step, every screen at both widths under the size budget, alt text,
axe clean, and its PDF."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from e2e.guides import IMAGE_BUDGET, JOURNEYS, WIDTHS, WORDS
from e2e.helpers import assert_accessible, portal_text
from e2e.live_server import ROOT

pytestmark = pytest.mark.local  # it starts a server of its own
GUIDES = [("mss", "fr"), ("espace-prive", "en")]


def test_make_guides_writes_illustrated_guides(page: Page, tmp_path):
    """Both guides from one `python -m e2e.guides` (one server, one browser)."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "e2e.guides", "--out", str(tmp_path),
         *(f"--guide={portal}.{lang}" for portal, lang in GUIDES)],
        cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    for portal, lang in GUIDES:
        check_guide(page, tmp_path, portal, lang)


def check_guide(page: Page, guides: Path, portal: str, lang: str) -> None:
    html = guides / f"{portal}.{lang}.html"
    assert (guides / f"{portal}.{lang}.pdf").read_bytes()[:5] == b"%PDF-"

    page.goto(html.as_uri())
    expect(page.locator("html")).to_have_attribute("lang", lang)
    steps = JOURNEYS[portal][0].guide_steps()
    sections = page.locator("main section.guide-step")
    expect(sections).to_have_count(len(steps))
    site = portal_text(portal, lang)
    for section, step in zip(sections.all(), steps, strict=True):
        expect(section.get_by_role("heading", level=2)).to_have_text(
            WORDS[lang]["step"] % {"number": step.number})
        expect(section.locator(".guide-sentence")).to_have_text(step.sentence(lang, site))
        expect(section.locator("picture").first).to_be_attached()  # a screen at least
        for picture in section.locator("picture").all():
            files = [picture.locator("img").get_attribute("src"),
                     *picture.locator("source").evaluate_all("els => els.map(e => e.srcset)")]
            assert len(files) == len(WIDTHS) and all(f.endswith(".webp") for f in files)
            for file in files:
                size = (guides / file).stat().st_size
                assert 1000 < size <= IMAGE_BUDGET, (file, size)
            alt = picture.locator("img").get_attribute("alt")
            assert alt.startswith(WORDS[lang]["screen"]) and len(alt) > 20, alt
    assert_accessible(page, f"the guide {html.name}")
