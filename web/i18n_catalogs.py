"""Keep the catalogs in step with the code: ``make i18n`` runs ``update``; a test runs
``problems``.

Message ids are English. ``fr`` must translate every one; ``en`` copies each id, so
English is complete by construction (``problems`` checks it still is).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import PYTHON_FORMAT, Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from web.root import ROOT

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


def _po_path(language: str, locales: Path = LOCALES) -> Path:
    return locales / language / "LC_MESSAGES" / "messages.po"


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
        catalog.fuzzy = False  # the header too: these catalogs are complete, not drafts
        if language == "en":
            for message in catalog:
                if message.id:
                    message.string = message.id
                    message.flags.discard("fuzzy")
        _write(path, catalog)


def _ids(catalog: Catalog) -> set:
    return {m.id if isinstance(m.id, str) else tuple(m.id) for m in catalog if m.id}


def problems(locales: Path = LOCALES) -> list[str]:
    """Why the catalogs (under ``locales``) are not ready: stale template, an id missing from
    a language, French untranslated or fuzzy, a translation that would fail at render."""
    found = []
    current = _ids(extract())
    if current != _ids(_read(locales / "messages.pot")):
        found.append("locales/messages.pot is stale: run `make i18n`")
    for language in ("fr", "en"):
        catalog = _read(_po_path(language, locales), language)
        missing = current - _ids(catalog)
        found += [f"{language}: missing: {mid!r}" for mid in sorted(map(str, missing))]
        found += _placeholder_problems(language, catalog)
        if language == "fr":
            found += _untranslated_problems(catalog)
    return found


def _untranslated_problems(catalog: Catalog) -> list[str]:
    found = []
    for message in catalog:
        if not message.id:
            continue
        if "fuzzy" in message.flags:
            found.append(f"fr: fuzzy: {message.id!r}")
        if not all(_strings(message.string)):
            found.append(f"fr: untranslated: {message.id!r}")
    return found


def _strings(value) -> tuple:
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


def _names(text: str) -> set[str]:
    return {name for name, _flags, _type in PYTHON_FORMAT.findall(text) if name}


def _placeholder_problems(language: str, catalog: Catalog) -> list[str]:
    return [
        f"{language}: {error}: {message.id!r}"
        for message in catalog
        if message.id and all(_strings(message.string))
        for error in _format_errors(catalog, message)
    ]


def _format_errors(catalog: Catalog, message) -> list[str]:
    """Babel's checkers (a placeholder the id lacks: a KeyError at render; an incompatible
    type; plural forms); else a placeholder the translation drops (its value would be lost);
    else the formatting our gettext applies to every message, placeholders or not (babel
    checks only ``python-format`` ones: a lone ``%`` fails there)."""
    errors = [str(error) for error in message.check(catalog)]
    if errors:
        return errors
    names = set().union(*map(_names, _strings(message.id)))
    for text in _strings(message.string):
        dropped = names - _names(text)
        if dropped and not message.pluralizable:
            return [f"the translation drops {', '.join(sorted(dropped))}"]
        try:
            text % dict.fromkeys(names | {"num"}, 1)
        except (KeyError, ValueError, TypeError) as error:
            return [f"cannot be formatted ({error})"]
    return []


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
