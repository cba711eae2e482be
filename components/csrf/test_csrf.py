"""csrf_field: the hidden token input, from the template context."""

IMPORT = '{% from "csrf/csrf.html" import csrf_field with context %}'


def test_token_from_context(render):
    page = render(IMPORT + "<form>{{ csrf_field() }}</form>", csrf_token="abc123")  # noqa: S106
    field = page.one("input")
    assert field.attrs == {"type": "hidden", "name": "csrf_token", "value": "abc123"}


def test_token_escaped(render, hostile):
    page = render(IMPORT + "{{ csrf_field() }}", csrf_token=hostile)
    assert page.one("input")["value"] == hostile
    assert "<script>" not in page.html


def test_explicit_token_without_context(render):
    page = render('{% from "csrf/csrf.html" import csrf_field %}{{ csrf_field("t0k") }}')
    assert page.one("input")["value"] == "t0k"


def test_missing_token_renders_empty(render):
    page = render(IMPORT + "{{ csrf_field() }}")
    assert page.one("input")["value"] == ""


def test_inside_a_block_rendered_alone(env):
    """A block rendered alone (an htmx fragment): the import inside it still sees the context."""
    from jinja2 import ChoiceLoader, DictLoader

    from web.rendering import render_block

    page = (
        "{% extends 'base0.html' %}{% block form %}"
        + IMPORT
        + "<form>{{ csrf_field() }}</form>{% endblock %}"
    )
    local = env.overlay(
        loader=ChoiceLoader(
            [
                DictLoader({"p.html": page, "base0.html": "{% block form %}{% endblock %}"}),
                env.loader,
            ]
        )
    )
    html = render_block(local, "p.html", "form", {"csrf_token": "blocktoken"})
    assert 'name="csrf_token" value="blocktoken"' in html
