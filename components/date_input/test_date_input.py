"""date_input: a fieldset of three numeric inputs, error and hint tied to the group."""

import pytest
from wtforms import StringField
from wtforms.validators import InputRequired, Regexp

from web.forms import Form, FormData, error_list
from web.i18n import use_language

IMPORT = '{% from "date_input/date_input.html" import date_input %}'
CALL = IMPORT + "{{ date_input(legend, f.birth_day, f.birth_month, f.birth_year, hint=hint) }}"
GROUP = [("birth_day", "birth_month", "birth_year")]


class BirthForm(Form):
    birth_day = StringField("Day", [InputRequired(), Regexp(r"^\d{1,2}$", message="Enter a day")])
    birth_month = StringField("Month", [InputRequired()])
    birth_year = StringField("Year", [InputRequired()])


def form(**data):
    bound = BirthForm(FormData(data))
    bound.validate()
    return bound


def test_structure_and_autocomplete(render):
    page = render(
        CALL,
        legend="Date of birth",
        hint="For example 27 3 1985",
        f=form(birth_day="07", birth_month="3", birth_year="1985"),
    )
    fieldset = page.one("fieldset")
    assert fieldset["id"] == "birth"
    assert fieldset["aria-describedby"] == "birth-hint"
    assert "Date of birth" in page.one("legend").text
    inputs = page.find("input")
    assert [i["id"] for i in inputs] == ["birth_day", "birth_month", "birth_year"]
    assert [i["autocomplete"] for i in inputs] == ["bday-day", "bday-month", "bday-year"]
    assert [i["value"] for i in inputs] == ["07", "3", "1985"]
    assert all(i["inputmode"] == "numeric" and i["type"] == "text" for i in inputs)
    assert all("aria-invalid" not in i.attrs for i in inputs)
    assert [i["class"].split()[-1] for i in inputs] == ["input--w2", "input--w2", "input--w4"]
    for i in inputs:
        assert page.one("label", **{"for": i["id"]})


def test_one_part_invalid(render):
    bound = form(birth_day="x1", birth_month="3", birth_year="1985")
    page = render(CALL, legend="Date of birth", hint=None, f=bound)
    assert page.one("fieldset")["aria-describedby"] == "birth-error"
    assert page.by_id("birth_day")["aria-invalid"] == "true"
    assert "aria-invalid" not in page.by_id("birth_month").attrs
    assert page.text("birth-error") == "Erreur : Enter a day"
    # The summary links to the first invalid input, with the same words, once for the group.
    assert error_list(bound, groups=GROUP) == [("birth_day", "Enter a day")]


def test_first_invalid_is_the_focus_target(render):
    bound = form(birth_day="1", birth_month="", birth_year="")
    assert error_list(bound, groups=GROUP) == [("birth_month", "Ce champ est obligatoire.")]
    page = render(CALL, legend="Date", hint=None, f=bound)
    assert page.by_id("birth_month")["aria-invalid"] == "true"
    assert page.by_id("birth_year")["aria-invalid"] == "true"
    assert "aria-invalid" not in page.by_id("birth_day").attrs


@pytest.mark.parametrize(("lang", "prefix"), [("fr", "Erreur :"), ("en", "Error:")])
def test_whole_date_error_marks_all(render, lang, prefix):
    page = render(
        IMPORT + '{{ date_input("Date", f.birth_day, f.birth_month, f.birth_year,'
        ' error=message, hint="Hint") }}',
        lang=lang,
        message="The date must be in the past",
        f=form(birth_day="1", birth_month="1", birth_year="2999"),
    )
    assert all(i["aria-invalid"] == "true" for i in page.find("input"))
    assert page.one("fieldset")["aria-describedby"] == "birth-hint birth-error"
    assert page.text("birth-error") == f"{prefix} The date must be in the past"


def test_without_autocomplete_and_custom_id(render):
    page = render(
        IMPORT + '{{ date_input("Start", f.birth_day, f.birth_month, f.birth_year,'
        ' autocomplete_prefix=None, id="start", required=False) }}',
        f=form(),
    )
    assert page.one("fieldset")["id"] == "start"
    assert all("autocomplete" not in i.attrs for i in page.find("input"))
    assert not page.find("span", class_="required")


def test_hostile_values_escaped(render, hostile):
    with use_language("en"):
        bound = form(birth_day=hostile, birth_month=hostile, birth_year="١٩٨٥")
    page = render(CALL, legend=hostile, hint=hostile, f=bound, lang="en")
    assert page.by_id("birth_day")["value"] == hostile
    assert page.by_id("birth_year")["value"] == "١٩٨٥"
    assert hostile in page.one("legend").text
    assert "<script>" not in page.html
