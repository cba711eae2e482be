"""radios and follow_up_container."""

import pytest
from wtforms import RadioField, SelectChoice
from wtforms.validators import InputRequired

from web.forms import Form, FormData, error_list
from web.i18n import use_language

IMPORT = '{% from "radios/radios.html" import radios, follow_up_container %}'
CHOICES = [
    SelectChoice("farmer", "Farm operator"),
    SelectChoice("company", "Company"),
    SelectChoice("other", "Other…"),
]


class ProfileForm(Form):
    profile = RadioField("You are…", choices=CHOICES, validators=[InputRequired()])


def form(**data):
    bound = ProfileForm(FormData(data))
    bound.validate()
    return bound


def test_options_hints_and_attrs(render):
    page = render(
        IMPORT + '{{ radios(f.profile, hints={"company": "With a SIRET"},'
        ' attrs={"data-hx-get": "/follow", "data-hx-target": "#profile-next"}) }}',
        f=form(profile="company"),
    )
    assert page.one("fieldset")["id"] == "profile"
    assert "You are…" in page.one("legend").text
    inputs = page.find("input")
    assert [i["id"] for i in inputs] == ["profile-0", "profile-1", "profile-2"]
    assert [i["value"] for i in inputs] == ["farmer", "company", "other"]
    assert all(i["name"] == "profile" and i["type"] == "radio" for i in inputs)
    assert all(i["data-hx-get"] == "/follow" for i in inputs)
    assert all(i["data-hx-target"] == "#profile-next" for i in inputs)
    assert [("checked" in i.attrs) for i in inputs] == [False, True, False]
    assert inputs[1]["aria-describedby"] == "profile-1-hint"
    assert page.text("profile-1-hint") == "With a SIRET"
    assert "aria-describedby" not in inputs[0].attrs
    for i in inputs:
        assert page.one("label", **{"for": i["id"]})


def test_legend_override_and_group_hint(render):
    page = render(
        IMPORT + '{{ radios(f.profile, legend="Who are you?", hint="Pick one",'
        ' legend_class="fieldset__legend--page") }}',
        f=form(profile="other"),
    )
    assert "Who are you?" in page.one("legend").text
    assert "fieldset__legend--page" in page.one("legend")["class"]
    assert page.one("fieldset")["aria-describedby"] == "profile-hint"


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("fr", "Choisissez l'une des options."),
        ("en", "Choose one of the options."),
    ],
)
def test_error_state(render, lang, message):
    with use_language(lang):
        bound = form(profile="nonsense")
    page = render(IMPORT + "{{ radios(f.profile) }}", lang=lang, f=bound)
    assert page.one("fieldset")["aria-describedby"] == "profile-error"
    assert message in page.text("profile-error")
    assert all(i["aria-invalid"] == "true" for i in page.find("input"))
    assert not any("checked" in i.attrs for i in page.find("input"))
    assert error_list(bound) == [("profile-0", message)]


def test_conditional_content_under_its_option(render):
    page = render(
        IMPORT + '{{ radios(f.profile, conditional={"company": extra}) }}',
        f=form(profile="company"),
        extra="<b>SIRET</b>",
    )
    block = page.by_id("profile-1-conditional")
    assert "&lt;b&gt;SIRET" in page.html  # plain strings are escaped; pass Markup for HTML
    assert block.text == "<b>SIRET</b>"


def test_hostile_choices_escaped(render, hostile):
    class Hostile(Form):
        pick = RadioField(hostile, choices=[SelectChoice(hostile, hostile)])

    page = render(IMPORT + "{{ radios(f.pick, hints={h: h}) }}", f=Hostile(FormData({})), h=hostile)
    assert page.one("input")["value"] == hostile
    assert "<script>" not in page.html


def test_follow_up_container(render):
    page = render(
        IMPORT + '{{ follow_up_container("next") }}'
        '{% call follow_up_container("known") %}<h2>Then</h2>{% endcall %}'
    )
    empty, known = page.by_id("next"), page.by_id("known")
    assert empty["aria-live"] == "off" and empty.text == "" and not empty.children
    assert known.children[0].tag == "h2"
