"""The mss registration form: what each field accepts, and the message when it does not."""

from datetime import date, timedelta

import pytest

from web.forms import FormData, error_list
from web.i18n import use_language
from web.portals.mss.forms import AnswerForm, ChangeEmailForm, RegistrationForm


@pytest.fixture(autouse=True)
def english():
    with use_language("en"):
        yield


GOOD = {
    "uid": "000123456",
    "first_names": "Aïssatou",
    "last_name": "N'Diaye",
    "birth_day": "17",
    "birth_month": "5",
    "birth_year": "1980",
    "email": "aissatou.ndiaye@example.org",
    "email_confirm": "aissatou.ndiaye@example.org",
}


def form_with(**changes) -> RegistrationForm:
    form = RegistrationForm(FormData({**GOOD, **changes}))
    form.validate()
    return form


def errors_of(form) -> dict[str, str]:
    return {field.name: str(field.errors[0]) for field in form if field.errors}


def test_good_form_is_valid():
    form = form_with()
    assert errors_of(form) == {}
    assert form.uid_value == "000123456"
    assert form.birth_date == date(1980, 5, 17)


@pytest.mark.parametrize(
    "uid", ["000123456", "000 123 456", " 000123456 ", "٠٠٠١٢٣٤٥٦", "000\u00a0123\u00a0456"]
)
def test_uid_keeps_leading_zeros_and_allows_spaces(uid):
    form = form_with(uid=uid)
    assert "uid" not in errors_of(form)
    assert form.uid_value == "000123456"


@pytest.mark.parametrize(
    "uid",
    [
        "12345678",
        "1234567890",
        "abc123456",
        "<script>",
        "' OR 1=1 --",
        "1" * 10_000,
        "12345678\x00",
    ],
)
def test_uid_must_be_nine_digits(uid):
    errors = errors_of(form_with(uid=uid))
    assert errors["uid"] in (
        "Your UID must be 9 digits, for example 000123456.",
        "Enter at most 30 characters.",
    )


@pytest.mark.parametrize(
    "name",
    [
        "N'Diaye",
        "Lefèvre-Dupont",
        "李",
        "محمد",
        "Ngũgĩ wa Thiong’o",
        "St. John",
        "देवनागरी",
        "Jean\u2013Pierre",  # en dash, as word processors write it
        "Jean\u2011Pierre",  # non-breaking hyphen
        "Hawaiʻi Kahaleʼole",
        "Łukasz Øverby-Đặng",
    ],
)
def test_names_in_any_script(name):
    form = form_with(first_names=name, last_name=name)
    assert errors_of(form) == {}


@pytest.mark.parametrize(
    "name", ["<script>alert(1)</script>", "' OR 1=1 --", "R2D2", "-- '", "a\x00b<"]
)
def test_names_refuse_symbols_and_digits(name):
    errors = errors_of(form_with(first_names=name, last_name=name))
    assert errors["first_names"] == (
        "First name must only include letters, spaces, hyphens and apostrophes."
    )
    assert errors["last_name"].startswith("Last name must only include letters")


def test_empty_form_says_what_is_missing_in_order():
    form = RegistrationForm(FormData({}))
    assert not form.validate()
    pairs = error_list(form, groups=[RegistrationForm.DATE_PARTS])
    assert pairs == [
        ("uid", "Enter your UID."),
        ("first_names", "Enter your first name."),
        ("last_name", "Enter your last name."),
        ("birth_day", "Enter your date of birth."),
        ("email", "Enter your email address."),
        ("email_confirm", "Enter your email address again to confirm it."),
    ]


def test_blank_fields_are_missing_fields():
    errors = errors_of(form_with(uid="   ", first_names=" ", email="  "))
    assert errors["uid"] == "Enter your UID."
    assert errors["first_names"] == "Enter your first name."
    assert errors["email"] == "Enter your email address."


def test_messages_in_french():
    with use_language("fr"):
        form = RegistrationForm(FormData({"last_name": "x" * 10_000}))
        form.validate()
        errors = errors_of(form)
    assert errors["uid"] == "Saisissez votre UID."
    assert errors["last_name"] == "Saisissez au plus 100 caractères."
    assert errors["birth_day"] == "Saisissez votre date de naissance."


@pytest.mark.parametrize(
    ("day", "month", "year", "field", "message"),
    [
        ("", "5", "1980", "birth_day", "Date of birth must include a day."),
        ("17", "", "1980", "birth_month", "Date of birth must include a month."),
        ("17", "5", "", "birth_year", "Date of birth must include a year."),
        ("aa", "5", "1980", "birth_day", "Date of birth must only include numbers."),
        ("17", "5", "80", "birth_year", "Year must include 4 numbers."),
        ("31", "2", "1980", "birth_day", "Date of birth must be a real date."),
        ("17", "13", "1980", "birth_month", "Date of birth must be a real date."),
        ("1", "1", "1899", "birth_year", "Date of birth must be 1900 or later."),
        ("<b>", "'", "1980", "birth_day", "Date of birth must only include numbers."),
    ],
)
def test_date_of_birth(day, month, year, field, message):
    errors = errors_of(form_with(birth_day=day, birth_month=month, birth_year=year))
    assert errors[field] == message


def test_date_of_birth_in_the_future():
    tomorrow = date.today() + timedelta(days=1)
    errors = errors_of(
        form_with(
            birth_day=str(tomorrow.day),
            birth_month=str(tomorrow.month),
            birth_year=str(tomorrow.year),
        )
    )
    assert errors["birth_day"] == "Date of birth must be in the past."


@pytest.mark.parametrize(
    "email",
    [
        "not-an-email",
        "a@",
        "@example.org",
        "a b@example.org",
        "<script>@example.org",
        "x" * 300 + "@example.org",
    ],
)
def test_email_format(email):
    errors = errors_of(form_with(email=email, email_confirm=email))
    assert errors["email"] in (
        "Enter an email address in the correct format, like name@example.org.",
        "Enter at most 254 characters.",
    )


def test_email_confirmation_is_case_insensitive_but_must_match():
    assert "email_confirm" not in errors_of(form_with(email_confirm="AISSATOU.NDIAYE@EXAMPLE.ORG"))
    errors = errors_of(form_with(email_confirm="someone.else@example.org"))
    assert errors["email_confirm"] == "The two email addresses do not match."


def test_answer_and_change_email_forms():
    answer = AnswerForm(FormData({"answer": "  "}))
    assert not answer.validate() and answer.answer.errors[0] == "Enter your answer."
    change = ChangeEmailForm(
        FormData({"email": "new@example.org", "email_confirm": "NEW@example.org"})
    )
    assert change.validate()
