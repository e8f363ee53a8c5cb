"""The collection's import graph: no circles, and arrows only downward (core knows nothing above it).

Read from the code with ``ast``: every ``ansible_collections.fabricops.aci.plugins.module_utils...`` import
of every module under plugins/module_utils, type-only and in-function imports included.
"""

from __future__ import annotations

import ast
from pathlib import Path

from import_cycles import cycles

REPO = Path(__file__).resolve().parents[2]
ROOT = REPO / "plugins" / "module_utils"
PREFIX = "ansible_collections.fabricops.aci.plugins.module_utils."


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Module -> the collection modules it imports (``core.events``, ``event_source.router``...)."""
    modules = {_module_name(path): path for path in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text())):
            targets = []
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PREFIX):
                base = node.module[len(PREFIX):]
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                           for alias in node.names]
            elif isinstance(node, ast.Import):
                targets = [alias.name[len(PREFIX):] for alias in node.names if alias.name.startswith(PREFIX)]
            graph[name].update(target for target in targets if target in modules and target != name)
    return graph


def test_the_graph_is_read_from_the_code():
    graph = import_graph()
    assert "core.lifecycle" in graph["event_source.apic_connection"]
    assert "core.delivery" in graph["event_source.router"]


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_collection_has_no_import_circles():
    assert cycles(import_graph()) == []


def test_core_imports_nothing_above_it():
    upward = {name: sorted(target for target in targets if not target.startswith("core"))
              for name, targets in import_graph().items() if name.startswith("core")}
    assert {name: targets for name, targets in upward.items() if targets} == {}
