"""``make guides``: the illustrated registration guides, regenerated from the journeys.

Each guide journey (``e2e/journeys/``) runs in a fresh local server, in French and English,
with JavaScript on, at a phone width and a desktop width. At each screen a step shows, the
control the member is to use is outlined and the screen kept as WebP (Chromium's own encoder,
through the DevTools protocol). The result, per portal and language:
``docs/guides/<portal>.<lang>.html`` (one section per guide step: its number, its sentence, the
screens; the phone screen on narrow displays, the desktop one elsewhere), its images in
``docs/guides/<portal>.<lang>/``, and ``docs/guides/<portal>.<lang>.pdf`` (Chromium's print to
PDF). The document is branded from the portal's configuration (``ESPACE_BRANDING_FILE``) and
checked with axe before it is written out.

    python -m e2e.guides [--portal mss] [--lang fr] [--guide mss.fr] [--out docs/guides]
"""

from __future__ import annotations

import argparse
import base64
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from playwright.sync_api import Locator, Page, sync_playwright

from e2e import journeys
from e2e.helpers import LOCALES, assert_accessible, launch_chromium, portal_text, portals
from e2e.journeys import espace_prive, mss
from e2e.live_server import ROOT, LiveServer
from e2e.mail import DevMailbox

OUT = ROOT / "docs" / "guides"
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
WEBP_QUALITY = 70
IMAGE_BUDGET = 150_000  # bytes: the largest screen a guide may hold
# Each run registers its member (once per server): one member per language and width.
JOURNEYS = {
    "mss": (mss.Guide, {("fr", "phone"): "000314159", ("fr", "desktop"): "000262974",
                        ("en", "phone"): "000000101", ("en", "desktop"): "000777888"},
            mss.demo),
    "espace-prive": (espace_prive.Journey,
                     {("fr", "phone"): "Aïssatou", ("fr", "desktop"): "Zoé",
                      ("en", "phone"): "美玲", ("en", "desktop"): "Anne-Sophie Marie-Thérèse "
                                                                 "Éléonore"},
                     espace_prive.demo),
}
TITLES = {"fr": "S'inscrire à %(site)s : le guide pas à pas",
          "en": "Registering for %(site)s: the guide step by step"}
WORDS = {
    "fr": {"step": "Étape %(number)s", "steps": "Les étapes", "screen": "Capture d'écran",
           "outlined": "%(what)s « %(name)s » est entouré.", "button": "Le bouton",
           "link": "Le lien", "field": "Le champ", "form": "Le formulaire",
           "help": "Besoin d'aide ? Écrivez à %(email)s, appelez le %(phone)s ou rendez-vous "
                   "sur %(url)s.", "contents": "Sommaire"},
    "en": {"step": "Step %(number)s", "steps": "The steps", "screen": "Screenshot",
           "outlined": "%(what)s “%(name)s” is outlined.", "button": "The button",
           "link": "The link", "field": "The field", "form": "The form",
           "help": "Need help? Write to %(email)s, call %(phone)s or go to %(url)s.",
           "contents": "Contents"},
}
# The control's kind and name, as the member reads them, for the alternative text.
DESCRIBE = """el => {
  const tag = el.tagName.toLowerCase();
  const kind = tag === "a" ? "link" : tag === "form" ? "form"
    : (tag === "button" || ["submit", "button"].includes(el.type)) ? "button" : "field";
  const label = el.labels && el.labels[0] ? el.labels[0].innerText : "";
  const heading = tag === "form" ? (el.closest("main") || el).querySelector("h1") : null;
  const name = (kind === "field" ? label : heading ? heading.innerText
    : el.innerText || el.value || el.getAttribute("aria-label") || "");
  return {kind, name: name.replace(/\\s*\\*$/, "").replace(/\\s+/g, " ").trim()};
}"""
OUTLINE = """(el, colour) => {
  el.scrollIntoView({block: "center", inline: "nearest"});
  const box = el.getBoundingClientRect();
  const ring = document.createElement("div");
  ring.id = "guide-outline";
  Object.assign(ring.style, {
    position: "absolute", left: `${box.left + scrollX - 6}px`, top: `${box.top + scrollY - 6}px`,
    width: `${box.width + 12}px`, height: `${box.height + 12}px`, border: `4px solid ${colour}`,
    borderRadius: "6px", boxShadow: "0 0 0 3px #fff, inset 0 0 0 2px #fff",
    pointerEvents: "none", zIndex: 2147483647, boxSizing: "border-box",
  });
  document.body.append(ring);
}"""
UNOUTLINE = "() => document.getElementById('guide-outline')?.remove()"
OUTLINE_COLOUR = "#d4351c"  # a red-orange that stands out on both themes' blue and green


@dataclass
class Screen:
    name: str
    images: dict[str, str] = field(default_factory=dict)  # width → file, relative to the page
    sizes: dict[str, tuple[int, int]] = field(default_factory=dict)
    alt: str = ""


@dataclass
class Section:
    step: journeys.GuideStep
    screens: list[Screen] = field(default_factory=list)


class Recorder:
    """What a journey shows, kept for one guide: each step's screens at each width."""

    def __init__(self, folder: Path, prefix: str, steps: list[journeys.GuideStep]) -> None:
        self.folder, self.prefix = folder, prefix
        self.sections = {step.number: Section(step) for step in steps}
        self.width = ""

    def keep(self, journey: journeys.Journey, name: str, control: Locator | None) -> None:
        section = self.sections[journey.step.number]
        screen = next((s for s in section.screens if s.name == name), None)
        if screen is None:
            screen = Screen(name)
            section.screens.append(screen)
        page = journey.page
        if control is not None:
            control.evaluate(OUTLINE, OUTLINE_COLOUR)
            described = control.evaluate(DESCRIBE)
        else:
            page.evaluate("() => scrollTo(0, 0)")
            described = None
        file = f"{journey.step.number:02d}-{name}.{self.width}.webp"
        (self.folder / file).write_bytes(webp(page))
        page.evaluate(UNOUTLINE)
        screen.images[self.width] = f"{self.prefix}/{file}"
        screen.sizes[self.width] = (page.viewport_size["width"], page.viewport_size["height"])
        if not screen.alt:
            screen.alt = alt_text(journey.lang, page.title(), described)


def webp(page: Page) -> bytes:
    """The viewport as WebP, encoded by Chromium (Playwright's screenshots are PNG or JPEG)."""
    session = page.context.new_cdp_session(page)
    try:
        shot = session.send("Page.captureScreenshot", {"format": "webp",
                                                       "quality": WEBP_QUALITY})
    finally:
        session.detach()
    return base64.b64decode(shot["data"])


def alt_text(lang: str, title: str, described: dict | None) -> str:
    words = WORDS[lang]
    text = f"{words['screen']} : {title}." if lang == "fr" else f"{words['screen']}: {title}."
    if described and described["name"]:
        text += " " + words["outlined"] % {"what": words[described["kind"]],
                                           "name": described["name"]}
    return text


def record(browser, server: LiveServer, portal: str, lang: str, out: Path) -> list[Section]:
    """Run the portal's guide journey at each width; the sections of its guide."""
    journey_class, members, demo = JOURNEYS[portal]
    folder = out / f"{portal}.{lang}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    recorder = Recorder(folder, folder.name, journey_class.guide_steps())
    for width, viewport in WIDTHS.items():
        context = browser.new_context(base_url=server.url, locale=LOCALES[lang],
                                      viewport=viewport)
        page = context.new_page()
        page.set_default_timeout(15_000)
        server.clear_counters()
        journey = journey_class(page, lang, True, demo(members[lang, width]),
                                DevMailbox(server.url), shots=f"guide-{width}-")
        recorder.width = width
        journey.recorder = recorder
        journey.follow()
        context.close()
    return list(recorder.sections.values())


def render(portal: str, lang: str, sections: list[Section]) -> str:
    environment = Environment(loader=FileSystemLoader(Path(__file__).parent),
                              autoescape=select_autoescape(["html"]))
    branding = portals()[portal].branding
    site = portal_text(portal, lang)
    return environment.get_template("guide.html").render(
        lang=lang, site=site, title=TITLES[lang] % {"site": site},
        fund=portal_text(portal, lang, "fund_name"), theme=branding.theme,
        help=WORDS[lang]["help"] % {"email": branding.support_email,
                                    "phone": branding.support_phone, "url": branding.support_url},
        css=(ROOT / "static" / "base.css").read_text("utf-8"), words=WORDS[lang],
        sections=sections)


def publish(page: Page, portal: str, lang: str, sections: list[Section], out: Path) -> Path:
    """Write the guide's HTML, check it with axe in the browser, and print it to PDF."""
    html = out / f"{portal}.{lang}.html"
    html.write_text(render(portal, lang, sections), "utf-8")
    page.goto(html.as_uri())
    page.wait_for_load_state("load")
    assert_accessible(page, f"guide {html.name}")
    page.emulate_media(media="print")
    page.pdf(path=out / f"{portal}.{lang}.pdf", format="A4", print_background=True,
             margin={"top": "12mm", "bottom": "12mm", "left": "12mm", "right": "12mm"})
    return html


def generate(guides: list[tuple[str, str]], out: Path) -> list[Path]:
    """Write each (portal, language) guide, all from one server and one browser."""
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("ESPACE_MIN_FILL_SECONDS", "0")  # no robot delay to wait out
    os.environ.setdefault("ESPACE_MAIL_POLL_SECONDS", "0.2")  # nor the mail worker's 3 s
    written = []
    with LiveServer() as server, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        for portal, lang in guides:
            sections = record(browser, server, portal, lang, out)
            page = browser.new_page(viewport=WIDTHS["desktop"])
            written.append(publish(page, portal, lang, sections, out))
            page.close()
        browser.close()
    return written


def a_guide(text: str) -> tuple[str, str]:
    """``--guide PORTAL.LANG``: (portal, language)."""
    portal, _, lang = text.rpartition(".")
    if portal not in JOURNEYS or lang not in LOCALES:
        raise argparse.ArgumentTypeError(f"{text!r} is not PORTAL.LANG, with PORTAL one of "
                                         f"{', '.join(JOURNEYS)} and LANG one of "
                                         f"{', '.join(LOCALES)}")
    return portal, lang


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m e2e.guides", description=__doc__.split(
        "\n\n")[0])
    parser.add_argument("--portal", action="append", choices=list(JOURNEYS))
    parser.add_argument("--lang", action="append", choices=list(LOCALES))
    parser.add_argument("--guide", action="append", type=a_guide, metavar="PORTAL.LANG",
                        help="only these guides (instead of each --portal in each --lang)")
    parser.add_argument("--out", type=Path, default=OUT)
    options = parser.parse_args(argv)
    guides = options.guide or [(portal, lang) for portal in options.portal or list(JOURNEYS)
                               for lang in options.lang or list(LOCALES)]
    for html in generate(guides, options.out):
        pdf = html.with_suffix(".pdf")
        images = sorted(html.with_suffix("").glob("*.webp"))
        print(f"{html} ({html.stat().st_size // 1000} kB), {pdf.name} "
              f"({pdf.stat().st_size // 1000} kB), {len(images)} images "
              f"({sum(i.stat().st_size for i in images) // 1000} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
