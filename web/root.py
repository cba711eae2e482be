"""The checkout's root folder: locales, templates, components and static files are read
from it."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
