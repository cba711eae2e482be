"""Translations: catalogs loaded once at start, the per-request locale in a ContextVar."""

from __future__ import annotations

import io
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta
from functools import cache, lru_cache

from babel import Locale
from babel.dates import format_date, format_datetime, format_time, format_timedelta
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import LazyProxy, Translations

from web.root import ROOT

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
LOCALES_DIR = ROOT / "locales"

current_language: ContextVar[str] = ContextVar("current_language", default=DEFAULT_LANGUAGE)
_catalogs: dict[str, Translations] = {}


@cache  # parsed once per process, however many applications it creates
def _load(language: str) -> Translations:
    """Read every .po of a language (no compiled .mo is committed) into one Translations."""
    merged = Translations()
    for po_path in sorted((LOCALES_DIR / language / "LC_MESSAGES").glob("*.po")):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=language)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        merged.merge(Translations(buffer))
    return merged


def load_catalogs() -> None:
    for language in LANGUAGES:
        _catalogs[language] = _load(language)


def translations(language: str | None = None) -> Translations:
    language = language or current_language.get()
    if not _catalogs:
        load_catalogs()
    return _catalogs.get(language) or _catalogs[DEFAULT_LANGUAGE]


def raw_gettext(message: str) -> str:
    """The translation, unformatted (Jinja's new-style gettext formats it)."""
    return translations().gettext(message)


def raw_ngettext(singular: str, plural: str, n: int) -> str:
    return translations().ngettext(singular, plural, n)


def gettext(message: str, **variables) -> str:
    """Translate and format with ``%(name)s`` variables, always (so a literal % is %%),
    the same rule as in templates."""
    return raw_gettext(message) % variables


def ngettext(singular: str, plural: str, n: int, **variables) -> str:
    return raw_ngettext(singular, plural, n) % {"num": n, **variables}


def lazy_gettext(message: str, **variables) -> LazyProxy:
    """For texts defined at import time (form labels, branding) and translated when shown."""
    return LazyProxy(gettext, message, enable_cache=False, **variables)


_ = gettext


class use_language:  # noqa: N801 - used as a context manager like a function
    """Temporarily switch the current language (e.g. to render a member's email)."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else DEFAULT_LANGUAGE

    def __enter__(self) -> str:
        self._token = current_language.set(self.language)
        return self.language

    def __exit__(self, *exc) -> None:
        current_language.reset(self._token)


@lru_cache(maxsize=256)  # a browser sends the same header at every request of a visit
def negotiate(accept_language: str | None) -> str | None:
    """The best of our languages for an Accept-Language header, or None."""
    if not accept_language:
        return None
    choices = []
    for index, part in enumerate(accept_language.split(",")[:20]):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            choices.append((-quality, index, primary))
    return min(choices)[2] if choices else None



def format_day(value: date) -> str:
    return format_date(value, format="long", locale=current_language.get())


def format_timestamp(value: datetime) -> str:
    return format_datetime(value, format="medium", locale=current_language.get())


def format_clock(value: datetime) -> str:
    """A time of day, with its time zone (UTC: the member's own is not known)."""
    return format_time(value, format="HH:mm z", tzinfo=UTC, locale=current_language.get())


def format_delay(seconds: int) -> str:
    """A wait, in whole minutes rounded up ("15 minutes", "2 heures" from 2 hours on)."""
    minutes = max(1, -(-seconds // 60))
    return format_timedelta(timedelta(minutes=minutes), threshold=2, granularity="minute",
                            locale=current_language.get())


@cache
def language_names() -> dict[str, str]:
    """Each language named in itself, as a language switch shows it."""
    return {code: Locale.parse(code).get_display_name(code).capitalize() for code in LANGUAGES}
