"""notice panel and verified badge: the kind is said in words, not only shown in colour."""

import pytest

IMPORT = '{% from "notice/notice.html" import notice, verified_badge %}'


@pytest.mark.parametrize(
    ("kind", "lang", "word"),
    [
        ("info", "fr", "Information :"),
        ("success", "fr", "Succès :"),
        ("warning", "fr", "Attention :"),
        ("info", "en", "Information:"),
        ("success", "en", "Success:"),
        ("warning", "en", "Warning:"),
    ],
)
def test_kinds(render, kind, lang, word):
    page = render(
        IMPORT + '{% call notice(kind, title="Done") %}<p>Body</p>{% endcall %}',
        kind=kind,
        lang=lang,
    )
    box = page.one("div", class_="notice")
    assert f"notice--{kind}" in box["class"]
    assert page.one("span", class_="notice__icon")["aria-hidden"] == "true"
    heading = page.one("h2")
    assert " ".join(heading.text.split()) == f"{word} Done"
    assert page.one("p").text == "Body"


def test_without_title_heading_level_and_id(render):
    page = render(
        IMPORT + '{% call notice("warning", id="lock") %}Locked{% endcall %}'
        '{% call notice(title="T", heading_level=3) %}x{% endcall %}',
        lang="en",
    )
    assert not page.find("h2")
    assert page.one("h3").text.endswith("T")
    assert "Warning:" in page.by_id("lock").text and "Locked" in page.by_id("lock").text


def test_escaping_and_badge(render, hostile):
    page = render(
        IMPORT + "{% call notice(title=h) %}{{ h }}{% endcall %}{{ verified_badge(h) }}", h=hostile
    )
    assert "<script>" not in page.html
    badge = page.one("span", class_="badge")
    assert hostile in badge.text
    assert page.one("span", class_="badge__icon")["aria-hidden"] == "true"
