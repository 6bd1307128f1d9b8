"""ruff and mypy check every tracked .py file: no folder is skipped as 'build output' or excluded.

A package once named ``build`` was silently skipped by ``ruff check .`` (and by pytest): this
compares ``git ls-files '*.py'`` with what each tool reports it checked.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _tracked() -> set[str]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    out = subprocess.run(["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    return {line for line in out.splitlines() if line}


def _tool(name: str) -> str:
    found = Path(sys.executable).parent / name
    if found.exists():
        return str(found)
    path = shutil.which(name)
    assert path is not None, f"{name} is not installed (make test installs it)"
    return path


def test_ruff_checks_every_tracked_python_file() -> None:
    tracked = _tracked()
    done = subprocess.run([_tool("ruff"), "check", "--show-files", "."], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    checked = {str(Path(line).resolve().relative_to(ROOT)) for line in done.stdout.splitlines()
               if line.strip()}
    assert tracked - checked == set()


def test_mypy_checks_every_tracked_python_file() -> None:
    """The files mypy chooses from pyproject.toml's [tool.mypy] (its own ``process_options``:
    ``packages``, ``exclude``, namespace packages), asked of mypy without type-checking the
    tree a second time (``make test`` has just run ``mypy``; a full run here took ~1 min)."""
    from mypy.main import process_options

    tracked = _tracked()
    with contextlib.chdir(ROOT):
        targets, _ = process_options([], stdout=io.StringIO(), stderr=io.StringIO())
    modules = {target.module for target in targets}

    def module(path: str) -> str:
        dotted = path.removesuffix(".py").replace("/", ".")
        return dotted.removesuffix(".__init__")
    assert {p for p in tracked if module(p) not in modules} == set()
