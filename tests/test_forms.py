"""web.forms: request data as WTForms reads it, messages in the request's language, and the
(field id, message) pairs of the error summary."""

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import given
from hypothesis import strategies as st
from starlette.datastructures import FormData as StarletteFormData
from starlette.datastructures import UploadFile
from wtforms import IntegerField, RadioField, SelectChoice, StringField
from wtforms.validators import InputRequired

from web.forms import Form, FormData, error_list, is_email, max_length, strip
from web.i18n import use_language
from web.registry.validation import normalized_email


class Sample(Form):
    name = StringField("Name", [InputRequired(), max_length(5)], filters=[strip])
    birth_day = StringField("Day", [InputRequired()])
    birth_month = StringField("Month", [InputRequired()])
    birth_year = IntegerField("Year", [InputRequired()])
    kind = RadioField("Kind", choices=[SelectChoice("a", "A"), SelectChoice("b", "B")])


def test_form_data_from_starlette_keeps_text_and_drops_controls_and_files():
    upload = UploadFile(file=None, filename="x.txt")
    raw = StarletteFormData(
        [("name", "Ad\x00a\x07"), ("tags", "x"), ("tags", "y\tz\n"), ("file", upload)]
    )
    data = FormData(raw)
    assert data.getlist("name") == ["Ada"]
    assert data.getlist("tags") == ["x", "y\tz\n"]
    assert "file" not in data and data.getlist("missing") == []
    assert list(data) == ["name", "tags"] and data.to_dict() == {"name": "Ada", "tags": "x"}
    assert not FormData() and FormData({"a": "1"}).get("a") == "1"


NAMES = st.sampled_from(["email", "answer", "csrf_token"])


@given(st.lists(st.tuples(NAMES, st.text(max_size=2)), max_size=6), NAMES)
def test_a_fields_value_is_its_first_one(items, name):
    data = FormData(items)
    assert data.get(name, "none") == ([*data.getlist(name), "none"])[0]
    assert (name in data) == bool(data.getlist(name))


@pytest.mark.parametrize(
    ("lang", "required", "choice", "integer", "too_long"),
    [
        (
            "fr",
            "Ce champ est obligatoire.",
            "Choisissez l'une des options.",
            "Saisissez un nombre entier.",
            "Saisissez au plus 5 caractères.",
        ),
        (
            "en",
            "This field is required.",
            "Choose one of the options.",
            "Enter a whole number.",
            "Enter at most 5 characters.",
        ),
    ],
)
def test_messages_in_the_request_language(lang, required, choice, integer, too_long):
    with use_language(lang):
        form = Sample(FormData({"name": "  far too long  ", "birth_year": "19x5", "kind": "zzz"}))
        assert not form.validate()
    assert form.name.errors == [too_long]
    assert form.birth_day.errors == [required]
    assert form.birth_year.errors[0] == integer
    assert form.kind.errors == [choice]


def test_error_list_groups_overrides_radios_and_form_errors():
    with use_language("en"):
        form = Sample(FormData({"name": "Ada", "birth_day": "1", "kind": "zzz"}))
        form.validate()
    form.form_errors.append("The information does not match our records.")
    pairs = error_list(
        form, groups=[("birth_day", "birth_month", "birth_year")], id_overrides={"kind": "kind-1"}
    )
    assert pairs == [
        ("birth_month", "This field is required."),
        ("kind-1", "Choose one of the options."),
        (None, "The information does not match our records."),
    ]
    assert error_list(form)[:3] == [
        ("birth_month", "This field is required."),
        ("birth_year", "This field is required."),
        ("kind-0", "Choose one of the options."),
    ]


def test_valid_form_has_no_errors_and_keeps_non_latin_text():
    form = Sample(
        FormData(
            {
                "name": " 王芳 ",
                "birth_day": "1",
                "birth_month": "2",
                "birth_year": "1985",
                "kind": "b",
            }
        )
    )
    assert form.validate(), form.errors
    assert form.name.data == "王芳"
    assert error_list(form) == []


ADDRESSES = [
    "jeanne.martin@example.org", "JB.Delatour@Example.ORG", "a+tag@sub.example.co.uk",
    "x_y%z@a-b.example", "o'brien@example.org", "\"quoted\"@example.org", "jeanne@localhost",
    "jeanne@mail.test", "jeanne@example.local", "a..b@example.org", ".a@example.org",
    "a.@example.org", "jeanne@-example.org", "jeanne@example-.org", "jeanne@ex--ample.org",
    "jeanne@example.123", "jeanne@example", "jeanne@", "@example.org", "jeanne martin@example.org",
    "zoë@example.org", "jeanne@exämple.org", "a" * 64 + "@example.org", "a" * 65 + "@example.org",
    "jeanne@" + "a" * 63 + ".org", "jeanne@" + "a" * 64 + ".org",
    "jeanne@" + ".".join(["abcdefghi"] * 25) + ".org", "", "jeanne@example.org\n",
]


def test_the_plain_address_fast_path_agrees_with_email_validator():
    for address in ADDRESSES:
        try:
            expected = validate_email(address, check_deliverability=False).normalized
        except EmailNotValidError:
            expected = None
        assert normalized_email(address) == expected, address
        assert is_email(address) is (expected is not None), address


def test_a_plain_address_is_answered_without_email_validator(monkeypatch):
    def unused(*args, **kwargs):
        raise AssertionError("email-validator called")

    monkeypatch.setattr("web.registry.validation.validate_email", unused)
    assert is_email("jeanne.martin@example.org")


@pytest.mark.parametrize(("lang", "birth", "creation"), [
    ("en", "Date of birth", "The date of creation"),
    ("fr", "La date de naissance", "La date de création"),
])
def test_a_company_s_date_of_creation_has_the_birth_date_s_messages_with_its_name(
    lang, birth, creation
):
    from web.forms import BirthDateForm
    from web.portals.espace_prive.forms import CompanyContactForm

    with use_language(lang):
        born = {k: str(m) for k, m in BirthDateForm.DATE_MESSAGES.items() if k != "missing"}
        created = {k: str(m) for k, m in CompanyContactForm.DATE_MESSAGES.items()
                   if k != "missing"}
    assert len(born) == 7 and all(m.startswith(birth + " ") for m in born.values())
    assert created == {k: m.replace(birth, creation, 1) for k, m in born.items()}
