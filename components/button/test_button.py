"""button, link_button, button_group."""

import pytest

IMPORT = '{% from "button/button.html" import button, link_button, button_group %}'


@pytest.mark.parametrize("kind", ["primary", "register", "secondary", "link"])
def test_kinds(render, kind):
    page = render(IMPORT + "{{ button('Go', kind=kind) }}", kind=kind)
    b = page.one("button")
    assert b["class"] == f"button button--{kind}"
    assert b["type"] == "submit"
    assert "name" not in b.attrs and "value" not in b.attrs


def test_name_value_type_attrs(render):
    page = render(
        IMPORT + "{{ button('Previous', kind='secondary', name='action', value='back',"
        " type='submit', attrs={'formnovalidate': true, 'data-hx-post': '/x'}) }}"
    )
    b = page.one("button")
    assert (b["name"], b["value"], b["data-hx-post"]) == ("action", "back", "/x")
    assert "formnovalidate" in b.attrs
    assert b.text == "Previous"


def test_plain_button_type(render):
    assert render(IMPORT + "{{ button('Close', type='button') }}").one("button")["type"] == "button"


def test_link_button_and_group(render):
    page = render(
        IMPORT + "{% call button_group() %}{{ button('Sign up', kind='register') }}"
        "{{ link_button('/mss/register?a=1&b=2', 'S\\'inscrire', kind='register') }}"
        "{% endcall %}"
    )
    group = page.one("div", class_="button-group")
    assert [c.tag for c in group.children] == ["button", "a"]
    link = page.one("a")
    assert link["href"] == "/mss/register?a=1&b=2" and link["class"] == "button button--register"
    assert link.text == "S'inscrire"


def test_escaping(render, hostile):
    page = render(IMPORT + "{{ button(h, value=h) }}{{ link_button(h, h) }}", h=hostile)
    assert page.one("button")["value"] == hostile and page.one("button").text == hostile
    assert page.one("a")["href"] == hostile
    assert "<script>" not in page.html


def test_boolean_attributes_are_html_booleans(render):
    """True writes the attribute empty, False leaves it out (never formnovalidate="True")."""
    page = render(
        '{% from "button/button.html" import button %}'
        "{{ button('Back', attrs={'formnovalidate': true, 'hidden': false}) }}"
    )
    assert 'formnovalidate=""' in page.html and "True" not in page.html
    assert "hidden" not in page.html
