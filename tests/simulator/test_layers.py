"""The simulator's modules import each other in layers: no circle, and only the builders reach the facade.

The graph is read from the source with `ast`, counting every relative import (module level, inside
functions and under TYPE_CHECKING alike), because a circle hidden in a lazy or type-only import is still
a circle for whoever has to change the code.
"""

import ast
from pathlib import Path

from import_cycles import cycles

PACKAGE = Path(__file__).resolve().parents[2] / "simulator" / "apicsim"
#: The modules that build a Simulator; every other module gets its parts handed in.
BUILDERS = {"__init__", "cli", "pytest_plugin"}


def import_graph(package: Path) -> dict[str, set[str]]:
    """Module name -> the package modules it imports (relative or `apicsim.` imports)."""
    modules = {path.stem for path in package.glob("*.py")}
    graph: dict[str, set[str]] = {}
    for path in sorted(package.glob("*.py")):
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                if isinstance(node, ast.Import):
                    targets.update(a.name.split(".")[1] for a in node.names if a.name.startswith("apicsim."))
                continue
            if node.level == 1 and node.module:
                targets.add(node.module.split(".")[0])
            elif node.level == 1:
                targets.update(alias.name for alias in node.names)
            elif node.level == 0 and node.module and node.module.startswith("apicsim."):
                targets.add(node.module.split(".")[1])
            elif node.level == 0 and node.module == "apicsim":
                targets.update(alias.name for alias in node.names)
        graph[path.stem] = {t for t in targets if t in modules and t != path.stem}
    return graph


def test_graph_is_read_from_the_package():
    graph = import_graph(PACKAGE)
    assert {"simulator", "mit", "rest", "member"} <= graph.keys()
    assert "mit" in graph["simulator"]


def test_simulator_modules_import_without_circles():
    found = cycles(import_graph(PACKAGE))
    assert not found, f"import circles among simulator modules: {found}"


def test_only_builders_import_the_facade():
    graph = import_graph(PACKAGE)
    reaching_back = sorted(name for name, targets in graph.items() if "simulator" in targets and name not in BUILDERS)
    assert not reaching_back, f"modules reaching back into simulator.py: {reaching_back}"


def test_cycle_finder_sees_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_simulator_does_not_import_the_collection():
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            assert not [n for n in names if n.startswith(("ansible_collections", "plugins"))], path.name
