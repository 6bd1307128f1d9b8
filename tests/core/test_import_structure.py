"""The import structure of shipit/: no cycle between modules and none between packages.

Every import counts, including those under ``if TYPE_CHECKING:`` and inside functions: a lazy
import still ties two modules together. A package is a folder under shipit/ (``shipit.doctor``
with its subfolders); each top-level module (``shipit.errors``) is a node of its own.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHIPIT = ROOT / "shipit"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for path in SHIPIT.rglob("*.py")}


def _imports(name: str, path: Path) -> Iterator[str]:
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name and target.startswith("shipit"):
                yield target


GRAPH = {name: set(_imports(name, path)) for name, path in MODULES.items()}


def _package(module: str) -> str:
    parts = module.split(".")
    if len(parts) >= 2 and (SHIPIT / parts[1]).is_dir():
        return ".".join(parts[:2])
    return module


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a path, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycle_between_modules() -> None:
    # a package's __init__ re-exporting its own modules is its face, not a cycle
    graph = {name: {t for t in targets if not (name.startswith(t + ".") and
                                               MODULES[t].name == "__init__.py")}
             for name, targets in GRAPH.items()}
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_no_import_cycle_between_packages() -> None:
    packages: dict[str, set[str]] = {}
    for name, targets in GRAPH.items():
        own = _package(name)
        packages.setdefault(own, set()).update(_package(t) for t in targets if _package(t) != own)
    assert _cycle(packages) is None, " -> ".join(_cycle(packages) or [])


def test_the_cycle_finder_finds_one() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


COMPOSERS = ("shipit.cli.sandbox", "shipit.demo", "shipit.sandbox", "shipit.__main__")
"""Where the sandbox plugs in: its own package, its CLI group (which plugs it in as the local
stand-in: shipit.local_stand_in), the demo that drives it."""


def test_the_sandbox_is_a_plug_in() -> None:
    """Product code (build, push, deploy, doctor, adopt, export ... and their CLI commands)
    imports nothing from the sandbox; only its own CLI group and the demo compose it."""
    leaks = sorted(f"{name} -> {target}" for name, targets in GRAPH.items()
                   if not name.startswith(COMPOSERS)
                   for target in targets if target.startswith("shipit.sandbox"))
    assert leaks == []
