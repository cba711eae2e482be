"""checklist: met / not met / not judged, said in words and shapes, escaped."""

from types import SimpleNamespace as Item

IMPORT = '{% from "checklist/checklist.html" import checklist %}'


def test_states_in_words_and_shapes(render):
    items = [Item(text="Long", met=True), Item(text="Rare", met=False), Item(text="Own", met=None)]
    page = render(IMPORT + '{{ checklist(items, id="rules") }}', lang="en", items=items)
    rows = page.find("li")
    assert [row["class"].split()[-1] for row in rows] == [
        "checklist__item--met",
        "checklist__item--unmet",
        "checklist__item--todo",
    ]
    assert "Done: Long" in " ".join(rows[0].text.split())
    assert "Not yet: Rare" in " ".join(rows[1].text.split())
    assert page.by_id("rules").tag == "ul"
    assert all(
        icon["aria-hidden"] == "true" for icon in page.find("span", class_="checklist__icon")
    )


def test_french_and_escaping(render, hostile):
    page = render(IMPORT + "{{ checklist(items) }}", items=[Item(text=hostile, met=False)])
    assert "Pas encore :" in page.html
    assert "<script>" not in page.html
