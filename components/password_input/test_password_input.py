"""password_input: no value echoed, no maxlength, a hidden show/hide toggle for app.js."""

import pytest
from wtforms import PasswordField
from wtforms.validators import InputRequired

from web.forms import Form, FormData
from web.i18n import use_language

IMPORT = '{% from "password_input/password_input.html" import password_input %}'


class PasswordForm(Form):
    password = PasswordField("New password", [InputRequired()])


def form(**data):
    bound = PasswordForm(FormData(data))
    bound.validate()
    return bound


@pytest.mark.parametrize(
    ("lang", "show", "suffix"),
    [("fr", "Afficher", "le mot de passe"), ("en", "Show", "the password")],
)
def test_input_and_toggle(render, lang, show, suffix):
    page = render(
        IMPORT + '{{ password_input(f.password, hint="At least 15 characters") }}',
        lang=lang,
        f=form(password="correct horse battery staple"),  # noqa: S106
    )
    field = page.one("input")
    assert field["type"] == "password" and field["id"] == "password" and field["name"] == "password"
    assert field["autocomplete"] == "new-password"
    assert field["aria-describedby"] == "password-hint"
    assert "value" not in field.attrs  # never written back into the page
    assert "maxlength" not in field.attrs
    assert page.one("label")["for"] == "password"
    toggle = page.one("button")
    assert toggle["type"] == "button" and "hidden" in toggle.attrs
    assert toggle["aria-controls"] == "password"
    assert " ".join(toggle.text.split()) == f"{show} {suffix}"
    with use_language(lang):
        assert toggle["data-show"] == show and toggle["data-hide"] != show


def test_error_and_current_password(render):
    with use_language("en"):
        bound = form(password="")
    page = render(
        IMPORT + '{{ password_input(f.password, autocomplete="current-password") }}',
        lang="en",
        f=bound,
    )
    field = page.one("input")
    assert field["autocomplete"] == "current-password"
    assert field["aria-invalid"] == "true" and field["aria-describedby"] == "password-error"
    assert page.text("password-error") == "Error: This field is required."


def test_hostile_and_long_password_not_echoed(render, hostile):
    long_one = hostile * 200
    page = render(
        IMPORT + "{{ password_input(f.password, hint=h, attrs={'data-x': h}) }}",
        f=form(password=long_one),
        h=hostile,
    )
    assert long_one not in page.html
    assert page.one("input")["data-x"] == hostile
    assert "<script>" not in page.html
