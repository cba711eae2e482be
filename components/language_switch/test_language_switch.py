"""language_switch: links, or submit buttons of the page's form (to keep what was typed)."""

from urllib.parse import parse_qsl, urlsplit

from starlette.requests import Request

IMPORT = '{% from "language_switch/language_switch.html" import language_switch %}'
LANGUAGES = {"fr": "Français", "en": "English"}


def request(path="/mss/register", query=""):
    """A real Starlette request for ``path?query`` (the switch reads its URL)."""
    return Request(
        {
            "type": "http",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "query_string": query.encode(),
            "headers": [(b"host", b"testserver")],
        }
    )


def switch_link(render, path="/mss/register", query=""):
    page = render(
        IMPORT + "{{ language_switch(languages, 'fr', request) }}",
        languages=LANGUAGES,
        request=request(path, query),
    )
    return page, page.one("a")["href"]


def test_link_mode(render):
    page = render(
        IMPORT + "{{ language_switch(languages, 'fr', request) }}",
        languages=LANGUAGES,
        request=request(),
    )
    nav = page.one("nav")
    assert nav["aria-label"] == "Langue"
    current = page.one("span", class_="lang-switch__current")
    assert current["aria-current"] == "true" and current["lang"] == "fr"
    link = page.one("a")
    assert link["href"] == "/mss/register?lang=en"
    assert link["lang"] == link["hreflang"] == "en" and link.text == "English"
    assert not page.find("button")


def test_link_keeps_the_other_query_parameters_and_replaces_lang(render):
    query = "from=%2Fespace-prive%2Fregister%2Fcontact&lang=fr&notice=logged-out&lang=de"
    page, href = switch_link(render, "/espace-prive/register/abandon", query)
    parts = urlsplit(href)
    assert parts.path == "/espace-prive/register/abandon"
    assert parse_qsl(parts.query) == [
        ("from", "/espace-prive/register/contact"),
        ("notice", "logged-out"),
        ("lang", "en"),
    ]
    assert "&amp;notice=" in page.html  # the separator is escaped in the attribute


def test_hostile_query_values_stay_inside_the_href(render, hostile):
    page, href = switch_link(render, "/mss/login", "q=" + hostile + "&x=%C3%A9t%C3%A9+%D9%8A")
    assert "<script>" not in page.html
    assert dict(parse_qsl(urlsplit(href).query)) == {"q": hostile, "x": "été ي", "lang": "en"}


def test_form_button_mode(render):
    page = render(
        IMPORT + "{{ language_switch(languages, 'en', request, form_id='register') }}",
        languages=LANGUAGES,
        request=request(),
        lang="en",
    )
    assert page.one("nav")["aria-label"] == "Language"
    button = page.one("button")
    assert button["form"] == "register" and button["name"] == "switch_lang"
    assert button["value"] == "fr" and "formnovalidate" in button.attrs
    assert button["lang"] == "fr" and button.text == "Français"
    assert not page.find("a")


def test_path_escaped(render):
    page, href = switch_link(render, '/x"><script>')
    assert href == '/x"><script>?lang=en'
    assert "<script>" not in page.html


def test_a_path_starting_with_two_slashes_stays_on_this_site(render):
    _page, href = switch_link(render, "//evil.example/x")
    assert urlsplit(href).netloc == "" and href == "/evil.example/x?lang=en"
