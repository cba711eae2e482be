"""Fixtures of the component tests: render a template string with the app's Jinja environment
in a language, and look at the result element by element. No database, no application."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

from web import i18n
from web.rendering import make_environment

HOSTILE = "\"><script>alert('x')</script>"


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    text: str = ""
    children: list[Element] = field(default_factory=list)

    def __getitem__(self, name: str) -> str | None:
        return self.attrs[name]

    def get(self, name: str, default=None):
        return self.attrs.get(name, default)


VOID = {"input", "br", "img", "meta", "link", "hr"}


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.open: list[Element] = []

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs))
        self.elements.append(element)
        if self.open:
            self.open[-1].children.append(element)
        if tag not in VOID:
            self.open.append(element)

    def handle_endtag(self, tag):
        while self.open:
            if self.open.pop().tag == tag:
                break

    def handle_data(self, data):
        for element in self.open:
            element.text += data


@dataclass
class Page:
    html: str
    elements: list[Element]

    def find(self, selector_tag: str | None = None, **attrs) -> list[Element]:
        """Elements of a tag (or any) whose attributes equal ``attrs`` (``class_`` = contains)."""
        wanted_class = attrs.pop("class_", None)
        return [
            e
            for e in self.elements
            if (selector_tag is None or e.tag == selector_tag)
            and all(e.get(k.replace("_", "-")) == v for k, v in attrs.items())
            and (wanted_class is None or wanted_class in (e.get("class") or "").split())
        ]

    def one(self, selector_tag: str | None = None, **attrs) -> Element:
        found = self.find(selector_tag, **attrs)
        assert len(found) == 1, f"expected one {selector_tag} {attrs}, found {len(found)}"
        return found[0]

    def by_id(self, element_id: str) -> Element:
        return self.one(id=element_id)

    def text(self, element_id: str) -> str:
        return " ".join(self.by_id(element_id).text.split())


def parse(html: str) -> Page:
    parser = _Parser()
    parser.feed(html)
    return Page(html, parser.elements)


@pytest.fixture(scope="session")
def env():
    i18n.load_catalogs()
    return make_environment()


@pytest.fixture
def render(env):
    """render(source, lang="fr", **context) → Page."""

    def _render(source: str, lang: str = "fr", **context) -> Page:
        with i18n.use_language(lang):
            return parse(env.from_string(source).render(**context))

    return _render


@pytest.fixture
def hostile() -> str:
    return HOSTILE
