"""Catalogs: complete, current, and the language machinery."""

import shutil

import pytest

from web import i18n, i18n_catalogs
from web.i18n_catalogs import LOCALES, _po_path, _read, _write, problems

WELCOME = "Welcome, %(name)s"  # a message with a placeholder, in both catalogs
NOT_FOUND = "Page not found"  # and one without


def test_catalogs_are_current_and_french_is_complete():
    found = problems()
    assert not found, "run `make i18n` and translate:\n" + "\n".join(found[:40])


@pytest.fixture(scope="module")
def extracted():
    """The messages of the code, extracted once: the tests below break catalogs, not code."""
    return i18n_catalogs.extract()


@pytest.fixture
def locales_copy(tmp_path, monkeypatch, extracted):
    """A copy of locales/ to break, and what ``problems`` already says of it (others' messages
    may be in flight): ``edit(language, {msgid: msgstr or None to delete})`` → new problems."""
    monkeypatch.setattr(i18n_catalogs, "extract", lambda: extracted)
    copy = tmp_path / "locales"
    shutil.copytree(LOCALES, copy)
    before = set(problems(copy))

    def edit(language: str, changes: dict) -> set[str]:
        path = _po_path(language, copy)
        catalog = _read(path, language)
        for msgid, text in changes.items():
            assert catalog.get(msgid) is not None, msgid
            if text is None:
                catalog.delete(msgid)
            else:
                catalog[msgid].string = text
        _write(path, catalog)
        return set(problems(copy)) - before

    return edit


@pytest.mark.parametrize(
    "french, error",
    [
        ("Bienvenue, %(nom)s", "unknown named placeholder 'nom'"),  # a KeyError at render
        (
            "Bienvenue, %(name)d",
            "incompatible format for placeholder 'name': 'd' and 's' are not compatible",
        ),
        ("Bienvenue !", "the translation drops name"),
    ],
)
def test_a_french_placeholder_that_differs_from_the_id_is_caught(locales_copy, french, error):
    assert locales_copy("fr", {WELCOME: french}) == {f"fr: {error}: {WELCOME!r}"}


def test_a_lone_percent_is_caught_in_a_message_without_placeholders(locales_copy):
    (found,) = locales_copy("fr", {NOT_FOUND: "Page introuvable à 100 %"})
    assert found.startswith("fr: cannot be formatted (") and found.endswith(repr(NOT_FOUND))


def test_an_id_missing_from_the_english_catalog_is_caught(locales_copy):
    assert locales_copy("en", {NOT_FOUND: None}) == {f"en: missing: {NOT_FOUND!r}"}


def test_a_wrong_english_placeholder_is_caught_too(locales_copy):
    found = locales_copy("en", {WELCOME: "Welcome, %(nme)s"})
    assert found == {f"en: unknown named placeholder 'nme': {WELCOME!r}"}


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
