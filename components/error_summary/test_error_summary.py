"""error_summary: focused alert with a link per field."""

import pytest

IMPORT = '{% from "error_summary/error_summary.html" import error_summary %}'


@pytest.mark.parametrize(
    ("lang", "title"), [("fr", "Il y a un problème"), ("en", "There is a problem")]
)
def test_summary(render, lang, title):
    page = render(
        IMPORT + "{{ error_summary(errors) }}",
        lang=lang,
        errors=[("email", "Enter an email"), ("birth_day", "Enter a day"), (None, "Whole form")],
    )
    box = page.one("div", class_="error-summary")
    assert box["tabindex"] == "-1" and "autofocus" in box.attrs
    assert "role" not in box.attrs and "aria-labelledby" not in box.attrs  # as GOV.UK's
    alert = page.one("div", role="alert")
    assert alert in box.children  # inside the box
    assert [e.tag for e in alert.children] == ["h2", "ul"]
    assert page.text("error-summary-title") == title
    links = page.find("a")
    assert [(a["href"], a.text) for a in links] == [
        ("#email", "Enter an email"),
        ("#birth_day", "Enter a day"),
    ]
    assert page.find("li")[2].text == "Whole form"


def test_empty_renders_nothing(render):
    assert render(IMPORT + "{{ error_summary([]) }}").html.strip() == ""
    assert render(IMPORT + "{{ error_summary(None) }}").html.strip() == ""


def test_escaping(render, hostile):
    page = render(IMPORT + "{{ error_summary([(h, h)], title=h) }}", h=hostile)
    assert page.one("a")["href"] == "#" + hostile
    assert page.one("a").text == hostile
    assert "<script>" not in page.html
