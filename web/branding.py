"""Portal branding: configuration, so another fund can run the same journey under its name.

The defaults, two fictional funds, are data in ``demo_branding.json``. ``ESPACE_BRANDING_FILE``
may point at a JSON file of the same shape, ``{"mss": {"name": {"fr": "…", "en": "…"},
"support_email": "…"}}``, whose values replace the defaults (a text value is either one string
or one per language; ``identifier_documents`` is a list of such texts): each value is checked
against its type in ``Branding`` before the application starts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

from web.i18n import current_language

Text = str | dict  # one string, or one per language: {"fr": "…", "en": "…"}


@dataclass(frozen=True)
class Branding:
    name: Text
    fund_name: Text
    support_email: str
    support_url: str
    support_phone: str
    theme: str
    policy_version: str
    health_question: Text = ""
    # where the fund prints the member's identifier (its help page lists them)
    identifier_documents: list[Text] = field(default_factory=list)
    texts: dict[str, Text] = field(default_factory=dict)


def _is_text(value) -> bool:
    return isinstance(value, str) or (
        isinstance(value, dict) and bool(value) and all(isinstance(v, str) for v in value.values())
    )


# What a setting of a branding file must hold, by its type in Branding.
SHAPES = {
    "str": ("a text", lambda value: isinstance(value, str)),
    "Text": ("a text or one text per language", _is_text),
    "list[Text]": (
        "a list of texts",
        lambda value: isinstance(value, list) and all(map(_is_text, value)),
    ),
    "dict[str, Text]": (
        "an object of texts",
        lambda value: isinstance(value, dict) and all(map(_is_text, value.values())),
    ),
}


@dataclass(frozen=True)
class Portal:
    id: str
    branding: Branding
    login_field: str  # "email" or "identifier"

    def text(self, name: str) -> str:
        """A branding text in the current language."""
        value = getattr(self.branding, name, None)
        if value is None:
            value = self.branding.texts.get(name, "")
        return in_language(value)

    def texts(self, name: str) -> list[str]:
        """A branding list of texts, each in the current language."""
        return [in_language(value) for value in getattr(self.branding, name)]


def in_language(value) -> str:
    """A text given as one string or one per language, in the current language."""
    if isinstance(value, dict):
        return value.get(current_language.get()) or next(iter(value.values()), "")
    return str(value)


def _read(branding_file: str | Path) -> dict:
    return json.loads(Path(branding_file).read_text("utf-8"))


LOGIN_FIELDS = {"mss": "email", "espace-prive": "identifier"}

DEFAULT_PORTALS = {
    portal_id: Portal(portal_id, Branding(**values), login_field=LOGIN_FIELDS[portal_id])
    for portal_id, values in _read(Path(__file__).with_name("demo_branding.json")).items()
}


def load_portals(settings) -> dict[str, Portal]:
    """The enabled portals, branded by ``ESPACE_BRANDING_FILE``: the one place that builds
    them, for the application and the command line alike."""
    branding_file = settings.branding_file
    overrides = _read(branding_file) if branding_file else {}
    portals = {}
    for portal_id in settings.portals:
        portal = DEFAULT_PORTALS[portal_id]
        changes = overrides.get(portal_id, {})
        if changes:  # checked by branding_problems() with the other settings
            portal = replace(portal, branding=replace(portal.branding, **changes))
        portals[portal_id] = portal
    return portals


def branding_problems(branding_file: str) -> list[str]:
    """What is wrong with an ``ESPACE_BRANDING_FILE`` (empty when it can be used)."""
    where = f"ESPACE_BRANDING_FILE ({branding_file})"
    try:
        overrides = _read(branding_file)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        return [f"{where} cannot be read as JSON: {error}"]
    if not isinstance(overrides, dict):
        return [f"{where} must hold an object keyed by portal id"]
    found = []
    for portal_id, changes in overrides.items():
        if portal_id not in DEFAULT_PORTALS or not isinstance(changes, dict):
            found.append(f"{where}: {portal_id!r} is not a portal id with an object of settings")
            continue
        fields = Branding.__dataclass_fields__
        unknown = sorted(set(changes) - set(fields))
        if unknown:
            found.append(f"{where}: unknown settings for {portal_id}: {', '.join(unknown)}")
        for name, value in changes.items():
            if name in fields:
                shape, holds = SHAPES[fields[name].type]
                if not holds(value):
                    found.append(f"{where}: {portal_id} {name} must be {shape}")
    return found
