"""The package's shape: no import cycles, and no lower layer importing an upper one.

Every ``consumer`` module's imports of other ``consumer`` modules are read from its source, lazy
imports inside functions included; only imports under ``if TYPE_CHECKING:`` are left out (they
never run). An event flows one way, Kafka → intake → analyze → store (+ outbox) → publish, and the
layers below say which module may know of which.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "consumer"

# Lowest first. A module may import modules of its own layer or of lower ones, never of a higher one.
LAYERS: list[tuple[str, ...]] = [
    ("consumer", "consumer.errors", "consumer.event_loop", "consumer.gc_tuning", "consumer.slots"),
    ("consumer.observability", "consumer.batching"),
    ("consumer.settings", "consumer.kafka.clients"),
    ("consumer.analyzer.text",),
    ("consumer.analyzer", "consumer.db", "consumer.kafka.offsets", "consumer.events"),
    ("consumer.pipeline", "consumer.readiness"),
    ("consumer.kafka", "consumer.http"),
    ("consumer.app", "consumer.check", "consumer.__main__"),
]
# Packages of one layer that must not know of each other.
STRANGERS: list[tuple[str, str]] = [
    ("consumer.analyzer", "consumer.db"),
    ("consumer.analyzer", "consumer.events"),
    ("consumer.db", "consumer.events"),
    ("consumer.pipeline", "consumer.readiness"),
    ("consumer.kafka", "consumer.http"),
]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported(name: str, node: ast.Import | ast.ImportFrom, known: dict[str, Path]) -> set[str]:
    """The ``consumer`` modules an import statement of module ``name`` loads (the project uses
    absolute imports only: a relative one fails here)."""
    if isinstance(node, ast.Import):
        targets = [alias.name for alias in node.names]
    else:
        assert node.level == 0, f"{name}: relative import of {node.module}"
        base = node.module or ""
        targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
    return {t for t in targets if t in known and t != name}


@cache
def graph() -> dict[str, frozenset[str]]:
    """Each module and the ``consumer`` modules it imports (at run time, anywhere in it)."""
    known = modules()
    edges: dict[str, frozenset[str]] = {}
    for name, path in known.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        found: set[str] = set()

        def visit(node: ast.AST, name: str = name, found: set[str] = found) -> None:
            if isinstance(node, ast.If) and _is_type_checking(node):
                for child in node.orelse:
                    visit(child)
                return
            if isinstance(node, ast.Import | ast.ImportFrom):
                found.update(_imported(name, node, known))
            for child in ast.iter_child_nodes(node):
                visit(child)

        visit(tree)
        edges[name] = frozenset(found)
    return edges


def layer_of(module: str) -> int:
    """The index of the most specific entry of ``LAYERS`` that holds ``module``."""
    best: tuple[int, int] | None = None
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and (
                best is None or len(prefix) > best[1]
            ):
                best = (index, len(prefix))
    assert best is not None, f"{module} belongs to no layer: add it to LAYERS"
    return best[0]


def test_the_graph_sees_the_package() -> None:
    edges = graph()
    assert "consumer.app" in edges
    assert "consumer.pipeline" in edges["consumer.app"]


def test_every_module_has_a_layer() -> None:
    for module in modules():
        layer_of(module)


def test_no_lower_layer_imports_an_upper_one() -> None:
    wrong = [
        f"{module} (layer {layer_of(module)}) imports {target} (layer {layer_of(target)})"
        for module, targets in graph().items()
        for target in sorted(targets)
        if layer_of(target) > layer_of(module)
    ]
    assert wrong == []


@pytest.mark.parametrize(("one", "other"), STRANGERS)
def test_packages_of_one_layer_do_not_know_each_other(one: str, other: str) -> None:
    def inside(module: str, package: str) -> bool:
        return module == package or module.startswith(package + ".")

    wrong = [
        f"{module} imports {target}"
        for module, targets in graph().items()
        for target in sorted(targets)
        if (inside(module, one) and inside(target, other)) or (inside(module, other) and inside(target, one))
    ]
    assert wrong == []


def test_no_import_cycles() -> None:
    edges = graph()
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles: list[list[str]] = []

    def walk(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(edges[module]):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                walk(target, [*path, target])
        state[module] = 2

    for module in sorted(edges):
        if module not in state:
            walk(module, [module])
    assert cycles == []


def test_only_the_database_package_talks_to_postgresql() -> None:
    """asyncpg (the pool, SQL, its errors) is imported under consumer/db/ and nowhere else."""
    wrong = []
    for name, path in modules().items():
        if name == "consumer.db" or name.startswith("consumer.db."):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                roots = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                roots = [(node.module or "").split(".")[0]]
            else:
                continue
            if "asyncpg" in roots:
                wrong.append(name)
    assert wrong == []
