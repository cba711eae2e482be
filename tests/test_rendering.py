"""One template answers a full page, or one block of it to an htmx partial request."""

import re

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st
from starlette.requests import Request

from web.rendering import render
from web.root import ROOT


def _request(app, headers: dict) -> Request:
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    scope = {"type": "http", "method": "GET", "path": "/", "headers": raw, "query_string": b"",
             "app": app, "state": {"csrf_token": "t"}}
    return Request(scope)


def test_partial_request_gets_the_block_only(app):
    request = _request(app, {"HX-Request": "true", "HX-Request-Type": "partial"})
    response = render(request, "error.html", {"status": 404}, block="main", status_message="Done")
    body = response.body.decode()
    assert "<html" not in body and "<h1 " in body
    assert '<hx-partial hx-target="#status" hx-swap="innerHTML">Done</hx-partial>' in body
    assert response.headers["vary"] == "HX-Request, HX-Request-Type, Espace-Page-Errors"
    assert response.headers["cache-control"] == "no-store"


def test_a_block_of_a_page_brings_its_title_and_empties_the_live_region(app):
    """htmx sets the document title from the fragment's <title>; what an earlier swap said in
    the live region is not true of the new content."""
    request = _request(app, {"HX-Request": "true", "HX-Request-Type": "partial"})
    body = render(request, "error.html", {"status": 404}, block="main", status_message="")
    body = body.body.decode()
    assert body.startswith("<title>Erreur : Page introuvable – Espace</title><h1 ")  # fr: default
    assert body.endswith('<hx-partial hx-target="#status" hx-swap="innerHTML"></hx-partial>')
    full = render(_request(app, {}), "error.html", {"status": 404}).body.decode()
    assert body[: body.index("</title>")] in full  # the very title of the full page


def test_an_echo_of_typing_leaves_the_live_region(app):
    request = _request(app, {"HX-Request": "true", "HX-Request-Type": "partial"})
    body = render(request, "error.html", {"status": 404}, block="main").body.decode()
    assert "<title>" in body and "hx-partial" not in body


def test_a_dialog_keeps_the_pages_title_and_live_region(app):
    request = _request(app, {"HX-Request": "true", "HX-Request-Type": "partial"})
    body = render(request, "error.html", {"status": 404}, block="main", overlay=True)
    assert "<title>" not in body.body.decode() and "hx-partial" not in body.body.decode()


def test_full_htmx_request_and_plain_request_get_the_page(app):
    for headers in ({"HX-Request": "true", "HX-Request-Type": "full"}, {}):
        response = render(_request(app, headers), "error.html", {"status": 404}, block="main",
                          status_message="Done <b>")
        body = response.body.decode()
        assert body.startswith("<!doctype html>")
        assert 'role="status"' in body and "Done &lt;b&gt;" in body


def test_status_message_is_escaped_in_fragments(app):
    request = _request(app, {"HX-Request-Type": "partial"})
    response = render(request, "error.html", {"status": 404}, block="main",
                      status_message="<script>x</script>")
    assert "<script>x" not in response.body.decode()


async def test_an_error_answering_htmx_is_the_main_block_retargeted(client):
    response = await client.get(
        "/mss/no-such-page", headers={"HX-Request": "true", "HX-Request-Type": "partial"}
    )
    assert response.status_code == 404
    assert response.headers["hx-retarget"] == "#main"
    assert response.headers["hx-reswap"] == "innerHTML"
    assert "<html" not in response.text and "<main" not in response.text
    assert '<h1 tabindex="-1" autofocus>' in response.text
    # the header comes as this page's, apart: no language button names a form of the page
    # the error replaces (the Nu HTML Checker failed on those)
    header = response.text.split('<hx-partial data-hx-target=".site-header" '
                                 'data-hx-swap="outerHTML">', 1)[1]
    assert header.lstrip().startswith('<header class="site-header">')
    assert " form=" not in header and 'class="lang-switch__link" href=' in header
    full = await client.get("/mss/no-such-page")
    assert full.text.startswith("<!doctype html>") and "hx-retarget" not in full.headers
    assert "autofocus" not in full.text


def test_templates_write_htmx_attributes_as_data_attributes():
    """htmx reads ``data-hx-*`` too, and only those validate as HTML (the Nu HTML Checker of
    the browser run fails on a bare ``hx-post``); ``<hx-partial>`` is htmx's own element."""
    bare = re.compile(r"(?<![\w-])hx-[a-z-]+=")
    templates = [*(ROOT / "web/templates").rglob("*.html"), *(ROOT / "components").rglob("*.html")]
    found = [f"{path.relative_to(ROOT)}:{number}" for path in templates
             for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
             if bare.search(line.replace("<hx-partial", ""))]
    assert found == []


def test_a_constant_block_is_rendered_once_per_language(app, monkeypatch):
    from web import i18n, rendering

    partial = {"HX-Request": "true", "HX-Request-Type": "partial"}
    rendered = []
    real = rendering._partial
    monkeypatch.setattr(rendering, "_partial", lambda *a: rendered.append(a) or real(*a))

    def security(lang: str, state: str = "start") -> str:
        with i18n.use_language(lang):
            context = {"security": {"state": state}}
            return render(_request(app, partial), "mss/register.html", context,
                          block="security", constant=True).body.decode()

    first = security("fr")
    assert security("fr") == first and len(rendered) == 1
    english = security("en")
    assert english != first and 'id="verify"' in english and len(rendered) == 2
    assert security("fr", "empty") != first and len(rendered) == 3
    uncached = render(_request(app, partial), "mss/register.html", {"security": {"state": "start"}},
                      block="security").body.decode()
    assert uncached == first


def test_a_constant_block_gives_each_visitor_their_own_csrf_token(app, monkeypatch):
    """Rendered once with a stand-in for the token, then filled with each visitor's: the same
    HTML as a fresh render for that visitor."""
    from web import rendering

    rendered = []
    real = rendering._partial
    monkeypatch.setattr(rendering, "_partial", lambda *a: rendered.append(a) or real(*a))

    def dialog(token: str, constant: bool = True) -> str:
        request = _request(app, {"HX-Request": "true", "HX-Request-Type": "partial"})
        request.state.csrf_token = token
        context = {"action": "/espace-prive/register/abandon", "back_url": "/espace-prive/"}
        return render(request, "espace_prive/abandon.html", context, block="dialog",
                      overlay=True, constant=constant).body.decode()

    first, second = dialog("token-of-one"), dialog("token-&-other")
    assert len(rendered) == 1 and str(rendering.CSRF_PLACEHOLDER) not in first
    assert 'name="csrf_token" value="token-of-one"' in first
    assert second == dialog("token-&-other", constant=False)  # escaped, as a render does
    assert 'value="token-&amp;-other"' in second


def test_a_constant_key_is_made_of_plain_values_only():
    from web.i18n import lazy_gettext, use_language
    from web.rendering import frozen

    with use_language("en"):
        assert frozen({"b": [1, "x"], "a": lazy_gettext("Next")}) == (("a", "Next"),
                                                                        ("b", (1, "x")))
    with pytest.raises(TypeError):  # an object's identity would make a key that never matches
        frozen({"form": object()})


def test_a_block_a_parent_defines_is_rendered_with_the_childs_blocks_inside():
    """A page may take its swapped block from the template it extends and fill only a block
    inside it: the fragment is then that part of the page, as a reload shows it."""
    from jinja2 import DictLoader, Environment

    from web.rendering import render_block

    env = Environment(autoescape=True, loader=DictLoader({
        "layout.html": "<title>{% block title %}{% endblock %}</title>"
                       "<main>{% block main %}{% block step %}{% endblock %}{% endblock %}</main>",
        "message.html": '{% extends "layout.html" %}{% block step %}<h1>{{ heading }}</h1>'
                        "{% block message %}none{% endblock %}{% endblock %}",
        "page.html": '{% extends "message.html" %}{% block title %}T{% endblock %}'
                     "{% block message %}<p>{{ text }}</p>{{ super() }}{% endblock %}",
    }))
    context = {"heading": "H", "text": "said"}
    step = render_block(env, "page.html", "step", context)
    assert step == "<h1>H</h1><p>said</p>none"
    assert f"<main>{step}</main>" in env.get_template("page.html").render(context)
    assert render_block(env, "page.html", "title", context) == "T"
    assert render_block(env, "message.html", "step", context) == "<h1>H</h1>none"


@given(
    body=st.text(),
    status=st.sampled_from([200, 204, 303, 304, 400, 422, 100, 503]),
    headers=st.dictionaries(
        st.sampled_from(["HX-Push-Url", "Vary", "vary", "Retry-After", "Content-Type",
                         "content-length", "X-Other"]),
        st.text(st.characters(max_codepoint=255), max_size=20),
    ),
)
def test_an_encoded_answer_is_starlettes_own(body, status, headers):
    """``EncodedHTML`` skips Starlette's constructor: the same body and headers come out."""
    from starlette.responses import HTMLResponse

    from web.rendering import EncodedHTML

    ours, theirs = EncodedHTML(body.encode(), status, headers), HTMLResponse(body, status, headers)
    assert (ours.status_code, ours.body, ours.raw_headers, ours.background) == (
        theirs.status_code, theirs.body, theirs.raw_headers, theirs.background)


@given(st.text())
def test_a_text_is_escaped_as_jinja_writes_it(value):
    from markupsafe import escape

    from web.rendering import html_text

    assert html_text(value) == str(escape(value))


@examples(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(token=st.text(), lang=st.sampled_from(["fr", "en"]))
def test_a_constant_block_kept_encoded_is_a_fresh_render_for_any_token(app, token, lang):
    """The kept block's bytes joined by the visitor's token, whatever it holds: the bytes a
    fresh render of the block writes for that token."""
    from web import i18n

    def dialog(constant: bool) -> bytes:
        request = _request(app, {"HX-Request": "true", "HX-Request-Type": "partial"})
        request.state.csrf_token = token
        context = {"action": "/espace-prive/register/abandon", "back_url": "/espace-prive/"}
        with i18n.use_language(lang):
            return render(request, "espace_prive/abandon.html", context, block="dialog",
                          overlay=True, constant=constant).body

    assert dialog(constant=True) == dialog(constant=False)
