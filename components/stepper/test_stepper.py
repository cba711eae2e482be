"""stepper: "Step N of M" text and a decorative segmented bar."""

import pytest

IMPORT = '{% from "stepper/stepper.html" import stepper %}'


@pytest.mark.parametrize(("lang", "text"), [("fr", "Étape 2 sur 5"), ("en", "Step 2 of 5")])
def test_text_and_bar(render, lang, text):
    page = render(IMPORT + "{{ stepper(2, 5) }}", lang=lang)
    assert page.one("p").text == text
    bar = page.one("ol")
    assert bar["aria-hidden"] == "true"
    classes = [li["class"].split()[-1] for li in bar.children]
    assert classes == [
        "stepper__segment--done",
        "stepper__segment--current",
        "stepper__segment",
        "stepper__segment",
        "stepper__segment",
    ]


def test_last_step(render):
    page = render(IMPORT + "{{ stepper(3, 3) }}")
    assert page.one("p").text == "Étape 3 sur 3"
    assert page.find("li")[-1]["class"].endswith("--current")


def test_the_step_as_the_headings_caption(render):
    page = render('{% from "stepper/stepper.html" import stepper, step_caption %}'
                  "{{ stepper(2, 6, caption=False) }}<h1>{{ step_caption(2, 6) }} Contact</h1>",
                  lang="en")
    assert not page.find("p")
    assert page.one("h1").text == "Step 2 of 6 – Contact"
    assert page.one("ol")["aria-hidden"] == "true"
