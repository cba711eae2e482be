"""Keep the catalogs in step with the code: ``make i18n`` runs ``update``; a test runs
``problems``.

Message ids are English. ``fr`` must translate every one; ``en`` copies each id, so
English is complete by construction.
"""

from __future__ import annotations

import io
import sys

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from web.settings import ROOT

LOCALES = ROOT / "locales"
POT = LOCALES / "messages.pot"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None}


def extract() -> Catalog:
    with (LOCALES / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    template = Catalog(project="Espace", charset="utf-8", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def _po_path(language: str):
    return LOCALES / language / "LC_MESSAGES" / "messages.po"


def _read(path, language: str | None = None) -> Catalog:
    with path.open("rb") as po_file:
        return read_po(po_file, locale=language)


def _write(path, catalog: Catalog) -> None:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, sort_output=True, omit_header=False, include_lineno=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())


def update() -> None:
    template = extract()
    _write(POT, template)
    for language in ("fr", "en"):
        path = _po_path(language)
        catalog = _read(path, language) if path.exists() else Catalog(locale=language)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        if language == "en":
            for message in catalog:
                if message.id:
                    message.string = message.id
                    message.flags.discard("fuzzy")
        _write(path, catalog)


def _ids(catalog: Catalog) -> set:
    return {m.id if isinstance(m.id, str) else tuple(m.id) for m in catalog if m.id}


def problems() -> list[str]:
    """Why the catalogs are not ready: stale template, French missing or fuzzy."""
    found = []
    current = _ids(extract())
    if current != _ids(_read(POT)):
        found.append("locales/messages.pot is stale: run `make i18n`")
    french = _read(_po_path("fr"), "fr")
    for message in french:
        if not message.id:
            continue
        if "fuzzy" in message.flags:
            found.append(f"fr: fuzzy: {message.id!r}")
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            found.append(f"fr: untranslated: {message.id!r}")
    missing = current - _ids(french)
    found += [f"fr: missing: {mid!r}" for mid in sorted(map(str, missing))]
    return found


def translate(language: str, translations: dict[str, str]) -> int:
    """Write translations (msgid → text) into a language's catalog; returns how many."""
    path = _po_path(language)
    catalog = _read(path, language)
    done = 0
    for message in catalog:
        if message.id in translations:
            message.string = translations[message.id]
            message.flags.discard("fuzzy")
            done += 1
    _write(path, catalog)
    return done


def untranslated(language: str = "fr") -> list[str]:
    return [m.id for m in _read(_po_path(language), language) if m.id and not m.string]


if __name__ == "__main__":
    if sys.argv[1:2] == ["translate"]:
        # python -m web.i18n_catalogs translate fr < {"msgid": "texte", ...}
        import json

        count = translate(sys.argv[2], json.load(sys.stdin))
        print(f"{count} translations written; still untranslated: {len(untranslated())}")
        sys.exit(0)
    if sys.argv[1:] == ["todo"]:
        import json

        print(json.dumps({m: "" for m in untranslated()}, ensure_ascii=False, indent=1))
        sys.exit(0)
    if sys.argv[1:] == ["check"]:
        issues = problems()
        print("\n".join(issues) or "catalogs are complete")
        sys.exit(1 if issues else 0)
    update()
    print("updated locales/messages.pot, fr and en catalogs")
