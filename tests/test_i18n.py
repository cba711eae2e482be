"""Catalogs: complete, current, and the language machinery."""

from web import i18n
from web.i18n_catalogs import problems


def test_catalogs_are_current_and_french_is_complete():
    found = problems()
    assert not found, "run `make i18n` and translate:\n" + "\n".join(found[:40])


def test_negotiation_prefers_quality_then_order():
    assert i18n.negotiate("de-DE,en;q=0.8,fr;q=0.9") == "fr"
    assert i18n.negotiate("en-US") == "en"
    assert i18n.negotiate("de, it") is None
    assert i18n.negotiate("fr;q=abc, en") == "en"
    assert i18n.negotiate("") is None


def test_gettext_follows_the_current_language():
    with i18n.use_language("fr"):
        assert i18n.gettext("Page not found") == "Page introuvable"
    with i18n.use_language("en"):
        assert i18n.gettext("Page not found") == "Page not found"


def test_lazy_text_is_translated_when_shown():
    text = i18n.lazy_gettext("Page not found")
    with i18n.use_language("fr"):
        assert str(text) == "Page introuvable"
    with i18n.use_language("en"):
        assert str(text) == "Page not found"
