"""language_switch: links, or submit buttons of the page's form (to keep what was typed)."""

from types import SimpleNamespace

IMPORT = '{% from "language_switch/language_switch.html" import language_switch %}'
LANGUAGES = {"fr": "Français", "en": "English"}


def request(path="/mss/register"):
    return SimpleNamespace(url=SimpleNamespace(path=path))


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


def test_path_escaped(render, hostile):
    page = render(
        IMPORT + "{{ language_switch(languages, 'fr', request) }}",
        languages=LANGUAGES,
        request=request('/x"><script>'),
    )
    assert page.one("a")["href"] == '/x"><script>?lang=en'
    assert "<script>" not in page.html
