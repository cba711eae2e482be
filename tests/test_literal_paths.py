"""No literal path of the application outside the route tables: templates and Python reverse
route names (``url_path_for("mss:register")``), so a route's URL is written once.

The scanner reads templates as text (a path begins at a ``/`` that does not continue a word,
a host or a longer path, followed by the first segment of a route: ``/mss``, ``/login``…; or
a ``"/"`` written as an ``href``, or concatenated with ``~``; or ``/{{ portal.id }}``) and
Python as its syntax tree (string constants and f-strings, but not docstrings, nor the path
of a ``Route`` or ``Mount``, which is the route table). Tests, e2e/ and bench/ are left out:
they are the application's visitors, and the URLs they type (a bookmark, the address a
postal letter prints) are part of what they check.

``python -m tests.test_literal_paths [ROOT]`` prints the count of a checkout, by file.
"""

from __future__ import annotations

import ast
import re
import sys
from collections import Counter
from pathlib import Path

from web.app import create_app
from web.settings import ROOT, Settings

ROUTE_CALLS = {"Route", "Mount", "WebSocketRoute"}


def first_segments(routes, segments: set[str] | None = None) -> set[str]:
    """The first static segment of every route path, mounts included (``mss``, ``login``)."""
    segments = set() if segments is None else segments
    for route in routes:
        segment = route.path.lstrip("/").split("/")[0]
        if segment and "{" not in segment:
            segments.add(segment.split(".")[0])
        first_segments(getattr(route, "routes", []) or [], segments)
    return segments


def app_segments() -> set[str]:
    app = create_app(Settings(env="development"), init_db=False)
    return first_segments(app.routes)


def patterns(segments: set[str]) -> list[re.Pattern]:
    """[any literal path, a path in a Python string]: each literal counts once."""
    names = "|".join(sorted(map(re.escape, segments), key=len, reverse=True))
    segment = rf"(?<![\w.:/-])/(?:{names})(?![\w-])"  # "/mss/register", "/login"
    concatenated = r"""(["'])/\1\s*~\s*[\w.]+(?:\s*~\s*(["'])[^"']*\2)?"""  # "/" ~ portal.id ~ "/x"
    interpolated = r"/\{\{\s*[\w.]+\.id\s*\}\}[\w/.-]*"  # /{{ portal.id }}/forgot
    root = r"""(?:href|action|formaction)=(["'])/\3"""  # href="/"
    return [re.compile(f"{concatenated}|{interpolated}|{root}|{segment}"), re.compile(segment)]


def template_hits(text: str, found: list[re.Pattern]) -> int:
    return sum(1 for _match in found[0].finditer(text))


def python_hits(source: str, found: list[re.Pattern]) -> int:
    tree = ast.parse(source)
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ROUTE_CALLS:
            skipped.update(id(n) for arg in node.args[:1] for n in ast.walk(arg))
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            if ast.get_docstring(node, clean=False) is not None:
                skipped.add(id(node.body[0].value))
    hits = 0
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.JoinedStr):
            skipped.update(id(part) for part in node.values)
            text = "".join(p.value if isinstance(p, ast.Constant) else "{x}" for p in node.values)
            hits += len(found[1].findall(text))
            hits += text.startswith("/{x}")  # f"/{portal.id}/…"
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            hits += len(found[1].findall(node.value))
    return hits


def scanned_files(root: Path):
    for path in sorted((root / "web" / "templates").rglob("*")):
        if path.suffix in (".html", ".txt"):
            yield path, "template"
    for path in sorted((root / "components").rglob("*.html")):
        yield path, "template"
    for folder in ("web", "components"):
        for path in sorted((root / folder).rglob("*.py")):
            if "migrations" not in path.parts and not path.name.startswith(("test_", "conftest")):
                yield path, "python"


def literal_paths(root: Path, segments: set[str]) -> Counter:
    found = patterns(segments)
    counts = Counter()
    for path, kind in scanned_files(root):
        text = path.read_text("utf-8")
        hits = template_hits(text, found) if kind == "template" else python_hits(text, found)
        if hits:
            counts[str(path.relative_to(root))] = hits
    return counts


def test_the_scanner_sees_each_style_of_literal_path():
    found = patterns({"mss", "login", "forgot"})
    template = (
        'href="/mss/register" {{ link_button("/" ~ portal.id ~ "/login") }} href="/"'
        ' action="/{{ portal.id }}/forgot" href="https://example.org/mss" /static/x'
    )
    assert template_hits(template, found) == 4
    python = (
        '"""Mounted under /mss."""\n'
        'Route("/login", login)\n'
        'see_other("/mss/register")\n'
        'f"{base_url}/{portal.id}/forgot"\n'
        'f"/{portal.id}/?abandoned=1"\n'
        'path.split("/")\n'
    )
    assert python_hits(python, found) == 3


def test_no_literal_application_path_outside_the_route_tables():
    assert literal_paths(ROOT, app_segments()) == {}


if __name__ == "__main__":
    checkout = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT
    counts = literal_paths(checkout, app_segments())
    for name, count in counts.most_common():
        print(f"{count:4d}  {name}")
    print(f"{sum(counts.values()):4d}  in all")
