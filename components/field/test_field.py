"""text_field and required_note: label, hint, error, ARIA wiring, value kept, escaping."""

import pytest
from wtforms import StringField
from wtforms.validators import InputRequired

from web.forms import Form, FormData, error_list, max_length

IMPORT = '{% from "field/field.html" import text_field, required_note %}'


class EmailForm(Form):
    email = StringField("Email address", [InputRequired(), max_length(254)])
    nickname = StringField("Nickname")


def form(**data):
    bound = EmailForm(FormData(data))
    bound.validate()
    return bound


def test_label_input_hint_wiring(render):
    page = render(
        IMPORT + '{{ text_field(f.email, hint="Like name@example.org", type="email",'
        ' autocomplete="email", spellcheck="false", width=30) }}',
        f=form(email="ada@example.org"),
    )
    label, field = page.one("label"), page.one("input")
    assert label["for"] == field["id"] == "email"
    assert field["name"] == "email" and field["type"] == "email"
    assert field["value"] == "ada@example.org"
    assert field["autocomplete"] == "email" and field["spellcheck"] == "false"
    assert field["aria-describedby"] == "email-hint"
    assert field["aria-required"] == "true"
    assert "aria-invalid" not in field.attrs
    assert "input--w30" in field["class"]
    assert page.text("email-hint") == "Like name@example.org"
    assert page.one("span", class_="required")["aria-hidden"] == "true"


def test_optional_field_has_no_marker_nor_describedby(render):
    page = render(IMPORT + "{{ text_field(f.nickname) }}", f=form(email="a@example.org"))
    field = page.one("input")
    assert not page.find("span", class_="required")
    assert "aria-describedby" not in field.attrs and "aria-required" not in field.attrs
    assert "maxlength" not in field.attrs


@pytest.mark.parametrize(
    ("lang", "prefix", "message"),
    [
        ("fr", "Erreur :", "Ce champ est obligatoire."),
        ("en", "Error:", "This field is required."),
    ],
)
def test_error_state(render, lang, prefix, message):
    from web.i18n import use_language

    with use_language(lang):
        bound = form(email="")
    page = render(IMPORT + '{{ text_field(f.email, hint="Hint") }}', lang=lang, f=bound)
    field = page.one("input")
    assert field["aria-invalid"] == "true"
    assert field["aria-describedby"] == "email-hint email-error"
    assert page.text("email-error") == f"{prefix} {message}"
    assert page.one("span", class_="visually-hidden").text.strip() == prefix
    assert "field--error" in page.find("div", class_="field")[0]["class"]
    # The summary says the same words and links to the input.
    assert error_list(bound) == [("email", message)]


def test_error_override_and_describedby_without_hint(render):
    page = render(
        IMPORT + '{{ text_field(f.nickname, error="Pick another") }}', f=form(email="a@example.org")
    )
    assert page.one("input")["aria-describedby"] == "nickname-error"
    assert "Pick another" in page.text("nickname-error")


def test_value_kept_and_escaped(render, hostile):
    page = render(
        IMPORT + "{{ text_field(f.nickname, hint=h) }}", f=form(nickname=hostile), h=hostile
    )
    assert page.one("input")["value"] == hostile
    assert page.text("nickname-hint") == hostile
    assert "<script>" not in page.html


def test_non_latin_value_kept(render):
    page = render(IMPORT + "{{ text_field(f.nickname) }}", f=form(nickname="عائشة 王芳"))
    assert page.one("input")["value"] == "عائشة 王芳"


def test_attrs_for_htmx_and_maxlength(render):
    page = render(
        IMPORT + '{{ text_field(f.email, attrs={"data-hx-get": "/mss/security?x=1&y=2",'
        ' "data-hx-trigger": "input changed delay:300ms, change", "data-hx-target": "#security",'
        ' "maxlength": 254}) }}',
        f=form(),
    )
    field = page.one("input")
    assert field["data-hx-get"] == "/mss/security?x=1&y=2"
    assert field["data-hx-trigger"] == "input changed delay:300ms, change"
    assert field["data-hx-target"] == "#security"
    assert field["maxlength"] == "254"
    assert "&amp;" in page.html  # the URL is escaped in the attribute


def test_hostile_attribute_name_refused(render):
    with pytest.raises(ValueError):
        render(IMPORT + '{{ text_field(f.email, attrs={"onclick=alert(1) x": "1"}) }}', f=form())


def test_label_hidden_stays_in_accessibility_tree(render):
    page = render(IMPORT + "{{ text_field(f.nickname, label_hidden=True) }}", f=form())
    assert "visually-hidden" in page.one("label")["class"]


def test_required_note_translated(render):
    assert "obligatoires" in render(IMPORT + "{{ required_note() }}").html
    assert "are required" in render(IMPORT + "{{ required_note() }}", lang="en").html


def test_huge_value_kept(render):
    huge = "x" * 10_000
    bound = form(email=huge)
    assert bound.email.errors  # too long: our message
    page = render(IMPORT + "{{ text_field(f.email) }}", f=bound)
    assert page.one("input")["value"] == huge
    assert "254" in page.text("email-error")
