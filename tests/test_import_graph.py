"""The import graph of ``recommender`` and ``webapp``: no cycles, and no Flask in the library.

Imports are read from the source (``ast``), not by importing, so an import
inside a function counts as much as one at the top of a module: it closes a
circle just the same, only later. ``from package import name`` is an import
of the submodule ``package.name`` when there is one, else of the package's
``__init__``. A package's ``__init__`` re-exporting its own submodules is
its API, not a cycle: a submodule depends on its package's ``__init__`` only
when it imports names from it, never merely by living inside it.
"""

from __future__ import annotations

import ast
import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGES = ("recommender", "webapp")

KNOWN_CYCLES: set[frozenset[str]] = set()
"""Cycles allowed for now, each as the set of modules that form it."""

KNOWN_LATE_IMPORTS: set[tuple[str, str]] = set()
"""Imports that close a cycle, allowed for now; the graph is checked without them."""


def _modules() -> dict[str, Path]:
    """Every module of :data:`PACKAGES` (packages as their ``__init__``), by dotted name."""
    found: dict[str, Path] = {}

    def walk(name: str, folder: Path) -> None:
        found[name] = folder / "__init__.py"
        for path in sorted(folder.iterdir()):
            if path.is_dir() and (path / "__init__.py").is_file():
                walk(f"{name}.{path.name}", path)
            elif path.suffix == ".py" and path.name != "__init__.py":
                found[f"{name}.{path.stem}"] = path

    for package in PACKAGES:
        spec = importlib.util.find_spec(package)
        assert spec is not None and spec.submodule_search_locations, package
        walk(package, Path(next(iter(spec.submodule_search_locations))))
    return found


MODULES = _modules()


def _imported(name: str, path: Path) -> Iterator[tuple[str, str]]:
    """Every module named by an import statement of ``name``: (imported module, name used).

    Names outside the walked packages (the standard library, Flask, ...) are
    yielded as written; relative imports are resolved against ``name``.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                yield (submodule, alias.name) if submodule in MODULES else (source, alias.name)


def import_graph() -> dict[str, set[str]]:
    """Module → the modules of :data:`PACKAGES` it imports."""
    return {name: {target for target, _ in _imported(name, path)
                   if target in MODULES and target != name}
            for name, path in MODULES.items()}


def cyclic_groups(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected groups of more than one module: each is one or more cycles."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[frozenset[str]] = []

    def connect(v: str) -> None:  # Tarjan
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(frozenset(group))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return groups


def cycle_in(graph: dict[str, set[str]], group: frozenset[str]) -> list[str]:
    """A shortest cycle (``a → b → … → a``) through the first module of a cyclic group."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for v in frontier:
            for w in sorted(graph[v] & group):
                if w == start:
                    return paths[v] + [start]
                if w not in paths:
                    paths[w] = paths[v] + [w]
                    following.append(w)
        frontier = following
    raise AssertionError(f"{sorted(group)} is not strongly connected")


def test_every_package_is_walked() -> None:
    assert {"recommender.policy", "recommender.policy.rules", "recommender.text.restore",
            "recommender.store.models", "webapp", "webapp.catalog"} <= set(MODULES)


def test_the_cycle_finder_finds_a_cycle_and_names_it() -> None:
    graph = {"a": {"b"}, "b": {"c", "a2"}, "c": {"a", "d"}, "d": set(), "e": {"a"}, "a2": set()}
    assert cyclic_groups(graph) == [frozenset("abc")]
    assert cycle_in(graph, frozenset("abc")) == ["a", "b", "c", "a"]
    assert cyclic_groups({"a": {"b"}, "b": set()}) == []


def test_a_package_init_reexporting_its_submodules_is_no_cycle() -> None:
    graph = import_graph()
    assert "recommender.policy.rules" in graph["recommender.policy"]
    assert "recommender.policy" not in graph["recommender.policy.rules"]


@pytest.mark.parametrize("statement", ["from . import vocab", "from .. import vocab"])
def test_from_package_import_submodule_is_an_import_of_the_submodule(
        tmp_path: Path, statement: str) -> None:
    name = "recommender.policy.rules" if statement.startswith("from ..") else "recommender.rank"
    path = tmp_path / "module.py"
    path.write_text(f"def later():\n    {statement}\n", encoding="utf-8")
    assert ("recommender.vocab", "vocab") in set(_imported(name, path))


def test_no_import_cycles() -> None:
    graph = import_graph()
    for module, target in KNOWN_LATE_IMPORTS:
        graph[module].discard(target)
    found = [g for g in cyclic_groups(graph) if g not in KNOWN_CYCLES]
    assert not found, "import cycles:\n" + "\n".join(
        f"{' → '.join(cycle_in(graph, g))} (modules in the circle: {', '.join(sorted(g))})"
        for g in found)


def test_known_cycles_still_exist() -> None:
    """A known cycle that has gone should leave :data:`KNOWN_CYCLES` too."""
    graph = import_graph()
    present = set(cyclic_groups(graph))
    assert KNOWN_CYCLES <= present, f"no longer cycles: {KNOWN_CYCLES - present}"
    gone = {(m, t) for m, t in KNOWN_LATE_IMPORTS if t not in graph[m]}
    assert not gone, f"no longer imported: {gone}"


def test_recommender_never_imports_flask() -> None:
    found = sorted(
        f"{name} imports {target}"
        for name, path in MODULES.items() if name.split(".")[0] == "recommender"
        for target, _ in _imported(name, path)
        if target.split(".")[0] == "flask" or target.startswith("flask_"))
    assert not found, "\n".join(found)


MAX_VIEW_LINES = 400
"""Views stay thin (routes parse, call the library, render): a longer web module is a
sign that library code has moved in."""


def test_no_web_module_is_longer_than_a_thin_view() -> None:
    root = Path(__file__).resolve().parents[1] / "webapp"
    modules = sorted(root.rglob("*.py"))
    assert len(modules) > 20  # the scan is not blind
    long = {str(p.relative_to(root.parent)): n for p in modules
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_VIEW_LINES}
    assert not long, f"web modules over {MAX_VIEW_LINES} lines: {long}"
