"""The layering rule of the README's "Map of the code", checked on the import graph of `web`.

Every import counts, at module level and inside functions alike: an import deferred into a
function still makes one module depend on another. A module may import its own layer and the
layers below it; no import runs upward, and no modules import each other in a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Highest first. A module belongs to the layer of its longest listed prefix.
LAYERS = (
    ("assembly", ("web.app", "web.cli")),
    # operators' tasks, the migrations' among them: they may use every layer below
    ("operations", ("web.operations", "web.migrations")),
    ("middleware", ("web.security.guard", "web.monitoring", "web.compression", "web.health",
                    "web.errors", "web.static_files")),
    ("portals", ("web.portals",)),
    ("services", ("web.registry", "web.accounts", "web.mail", "web.security", "web.metrics",
                  "web.forms")),
    ("rendering", ("web.rendering",)),
    ("foundation", ("web.settings", "web.branding", "web.i18n", "web.i18n_catalogs", "web.db",
                    "web.logs", "web.root", "web.urls", "web.routing", "web.clock")),
)


def modules(top: Path = ROOT / "web") -> dict[str, Path]:
    found = {}
    for path in sorted(top.rglob("*.py")):
        parts = list(path.relative_to(top.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def import_graph(found: dict[str, Path]) -> dict[str, set[str]]:
    """Module → the modules of `web` it imports, wherever in the module the import is."""

    def known(name: str) -> str | None:
        while name and name not in found:
            name = name.rpartition(".")[0]
        return name or None

    graph = {}
    for name, path in found.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        imported = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {known(alias.name) for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parent, base] if base else parent)
                # `from web.portals import home` imports the module web.portals.home
                imported |= {known(f"{base}.{alias.name}") for alias in node.names}
        graph[name] = {module for module in imported if module and module != name}
    return graph


def layer_of(module: str) -> int:
    matches = [(len(prefix), rank) for rank, (_name, prefixes) in enumerate(LAYERS)
               for prefix in prefixes if module == prefix or module.startswith(prefix + ".")]
    assert matches, f"{module} is in no layer: add it to LAYERS"
    return max(matches)[1]


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{importer} ({LAYERS[layer_of(importer)][0]}) imports {imported} "
        f"({LAYERS[layer_of(imported)][0]})"
        for importer, targets in graph.items() for imported in targets
        if layer_of(imported) < layer_of(importer)
    )


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other in a circle (Tarjan's strongly connected
    components of more than one module), each sorted."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in sorted(graph.get(module, ())):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while not group or group[-1] != module:
                group.append(stack.pop())
                on_stack.discard(group[-1])
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return sorted(found)


GRAPH = import_graph(modules())


def test_every_module_is_in_one_layer():
    listed = [prefix for _name, prefixes in LAYERS for prefix in prefixes]
    assert len(listed) == len(set(listed))
    for module in GRAPH:
        if module != "web":
            layer_of(module)


def test_no_modules_import_each_other_in_a_circle():
    assert cycles(GRAPH) == []


def test_no_import_runs_upward():
    assert upward_imports(GRAPH) == []


def test_components_know_nothing_of_portals():
    for path in (ROOT / "components").rglob("*"):
        if path.suffix == ".html":
            assert "portal" not in path.read_text("utf-8"), path
        elif path.suffix == ".py":
            tree = ast.parse(path.read_text("utf-8"))
            names = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                     for alias in node.names]
            names += [node.module or "" for node in ast.walk(tree)
                      if isinstance(node, ast.ImportFrom)]
            assert not [name for name in names if name.startswith("web.portals")], path


def test_the_check_sees_imports_inside_functions_and_both_kinds_of_failure(tmp_path):
    package = tmp_path / "web"
    (package / "portals").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "portals" / "__init__.py").write_text("")
    (package / "settings.py").write_text("def f():\n    from web.portals import home\n")
    (package / "portals" / "home.py").write_text("from web import settings\n")
    graph = import_graph(modules(package))
    assert graph["web.settings"] == {"web.portals.home"}
    assert cycles(graph) == [["web.portals.home", "web.settings"]]
    assert upward_imports(graph) == [
        "web.settings (foundation) imports web.portals.home (portals)"
    ]
