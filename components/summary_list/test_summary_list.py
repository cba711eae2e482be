"""summary_list: review rows, each change link says what it changes."""

import pytest
from markupsafe import Markup

IMPORT = '{% from "summary_list/summary_list.html" import summary_list %}'


@pytest.mark.parametrize(
    ("lang", "change", "empty"),
    [("fr", "Modifier", "Non renseigné"), ("en", "Change", "Not given")],
)
def test_rows(render, lang, change, empty):
    rows = [
        ("Last name", "N'Diaye", "/espace-prive/step/4#last_name", None),
        ("Mobile", "", "/espace-prive/step/4#mobile", None),
        ("Identifier", "1 85 03 2A 123 456", None, None),
        ("Email", "a@example.org", "/edit-email", "Change the email address"),
    ]
    page = render(IMPORT + "{{ summary_list(rows) }}", lang=lang, rows=rows)
    assert [dt.text for dt in page.find("dt")] == ["Last name", "Mobile", "Identifier", "Email"]
    values = [dd.text for dd in page.find("dd", class_="summary-list__value")]
    assert values == ["N'Diaye", empty, "1 85 03 2A 123 456", "a@example.org"]
    links = page.find("a")
    assert [a["href"] for a in links] == [
        "/espace-prive/step/4#last_name",
        "/espace-prive/step/4#mobile",
        "/edit-email",
    ]
    assert " ".join(links[0].text.split()) == f"{change} Last name"
    assert page.find("span", class_="visually-hidden")[0].text.strip() == "Last name"
    assert links[2].text == "Change the email address"


def test_markup_value_and_escaping(render, hostile):
    rows = [
        ("Address", Markup("1 rue X<br>75001 Paris"), None, None),
        (hostile, hostile, hostile, None),
    ]
    page = render(IMPORT + "{{ summary_list(rows) }}", rows=rows)
    assert "1 rue X<br>75001 Paris" in page.html
    assert page.one("a")["href"] == hostile
    assert "<script>" not in page.html
