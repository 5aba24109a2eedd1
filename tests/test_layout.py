"""The library layout: a package per chapter, no import cycles, no chapter reaching into another.

Read from the source with ``ast`` (nothing is imported), so that a new import that breaks
the layout fails here with the offending line, not later as a circular-import error.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
from pathlib import Path

import pytest
from brainformers import results

ROOT = Path(__file__).resolve().parents[1] / "utils" / "brainformers"
CHAPTERS = {
    "recall": "01_self_attention",
    "hopfield": "02_hopfield",
    "tem": "03_tem",
    "grid": "04_grid_cells",
    "encoding": "05_brain_predictivity",
    "sensory": "06_sensory_neuron",
}
# What every chapter may build on: the attention foundation and the course machinery a
# chapter's own code needs (the top-level package, validation, bars, figure style).
SHARED = {
    "brainformers",
    "brainformers.attention",
    "brainformers._validate",
    "brainformers.bar",
    "brainformers.plot",
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def _imports(name: str) -> list[tuple[int, str]]:
    """(line, module) for every import of a brainformers module in ``name``'s source."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    package = name if _is_package(name) else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            # ``from pkg import mod`` imports the module pkg.mod; ``from mod import f``, mod.
            targets = [
                f"{source}.{a.name}" if f"{source}.{a.name}" in MODULES else source
                for a in node.names
            ]
        else:
            continue
        found += [(node.lineno, t) for t in targets if t.split(".")[0] == "brainformers"]
    return found


def _chapter(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in CHAPTERS else None


def test_every_import_names_a_module_of_the_library():
    for name in MODULES:
        for line, target in _imports(name):
            assert target in MODULES, f"{name}:{line} imports {target}, which does not exist"


def _edges(name: str) -> set[str]:
    """What importing ``name`` runs: each target, and the packages above it that ``name``
    is not already inside (``import a.b.c`` runs ``a/b/__init__`` first)."""
    edges = set()
    for _, target in _imports(name):
        edges.add(target)
        parts = target.split(".")
        for k in range(2, len(parts)):
            parent = ".".join(parts[:k])
            if not (name == parent or name.startswith(parent + ".")):
                edges.add(parent)
    return edges


def test_the_import_graph_has_no_cycles():
    graph = {name: _edges(name) for name in MODULES}
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt) :] + [nxt] if nxt in path else [node, nxt]
                pytest.fail("import cycle: " + " → ".join(cycle))
            if nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for name in MODULES:
        if name not in state:
            visit(name, [name])


@pytest.mark.parametrize("package", sorted(CHAPTERS))
def test_a_chapter_imports_only_itself_the_foundation_and_the_machinery(package):
    members = [n for n in MODULES if _chapter(n) == package]
    assert members, f"no modules found for the chapter package {package}"
    for name in members:
        for line, target in _imports(name):
            if _chapter(target) == package or target in SHARED:
                continue
            pytest.fail(
                f"{name}:{line} imports {target}: a chapter package may import only itself, "
                f"brainformers.attention and the machinery ({sorted(SHARED)})"
            )


@pytest.mark.parametrize("package", sorted(CHAPTERS))
def test_each_chapter_keeps_its_bars_and_results_gathers_them(package):
    assert f"brainformers.{package}.bars" in MODULES
    bars = importlib.import_module(f"brainformers.{package}.bars").BARS
    assert results.BARS[CHAPTERS[package]] is bars


@pytest.mark.parametrize(
    "old",
    [
        "arena",
        "path_integration",
        "pattern_formation",
        "data",
        "features",
        "attention_neuron",
        "senses",
        "cartpole",
        "swingup",
        "evolution",
        "_rollouts",
    ],
)
def test_no_module_is_left_at_its_old_top_level_path(old):
    assert importlib.util.find_spec(f"brainformers.{old}") is None


def test_the_top_level_holds_only_the_foundation_the_chapters_and_the_machinery():
    top = {p.stem for p in ROOT.glob("*.py")} | {p.name for p in ROOT.iterdir() if p.is_dir()}
    expected = set(CHAPTERS) | {
        "__init__",
        "_validate",
        "attention",
        "bar",
        "check",
        "grade",
        "plot",
        "results",
        "resources",
        "__pycache__",
    }
    assert top <= expected, f"unexpected top-level modules: {sorted(top - expected)}"
