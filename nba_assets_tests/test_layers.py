"""The package's layers: no import cycle between modules or between top-level parts, and Dagster
imported only in the code location (``defs/``, ``definitions.py``) and the CLI's glue to the instance
(``instance/``). Every import counts, a function-level one too: hiding an import inside a function
does not remove the dependency."""

from __future__ import annotations

import ast
import graphlib
from collections import defaultdict
from pathlib import Path

import nba_assets

PACKAGE = Path(nba_assets.__file__).parent
DAGSTER_HOMES = ("nba_assets.defs", "nba_assets.definitions", "nba_assets.instance")


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        out[".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)] = path
    return out


def _imports(name: str, path: Path) -> set[str]:
    base = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                parent = base
                for _ in range(node.level - 1):
                    parent = parent.rpartition(".")[0]
                module = f"{parent}.{module}" if module else parent
            found |= {module} | {f"{module}.{a.name}" for a in node.names}
    return found


def _graph() -> dict[str, set[str]]:
    """module -> the package's modules it imports (a name resolves to its longest module prefix)."""
    modules = _modules()

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        graph[name]
        for target in _imports(name, path):
            if target.startswith("nba_assets") and (module := resolve(target)) and module != name:
                graph[name].add(module)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        return list(exc.args[1])
    return None


def _part(module: str) -> str:
    return ".".join(module.split(".")[:2])


def test_no_import_cycle_between_modules():
    assert _cycle(_graph()) is None


def test_no_import_cycle_between_top_level_parts():
    parts: dict[str, set[str]] = defaultdict(set)
    for module, targets in _graph().items():
        for target in targets:
            edge = (_part(module), _part(target))
            if edge[0] != edge[1]:
                parts[edge[0]].add(edge[1])
    assert _cycle(parts) is None


def test_dagster_is_imported_only_by_the_code_location_and_the_instance_glue():
    outside = sorted(
        name
        for name, path in _modules().items()
        if any(i == "dagster" or i.startswith(("dagster.", "dagster_")) for i in _imports(name, path))
        and not name.startswith(DAGSTER_HOMES)
    )
    assert outside == []


def test_the_checks_see_a_cycle_and_a_stray_dagster_import(tmp_path):
    """The helpers themselves: a two-module circle is a cycle; a layered graph is not."""
    assert _cycle({"a": {"b"}, "b": {"a"}}) is not None
    assert _cycle({"a": {"b"}, "b": set()}) is None
    assert "dagster" in _imports("x", _write(tmp_path, "def f():\n    import dagster as dg\n"))


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "x.py"
    path.write_text(text)
    return path
