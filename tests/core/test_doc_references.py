"""Paths that the README, docs and docstrings name exist in the repository (a moved test or a
file that lives outside the repo is a stale reference)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# A repository path: one of our top-level folders, then a file name with a known ending.
# ``.shipit/...`` (files shipit writes at run time) is not one: the lookbehind skips it.
PATH = re.compile(r"(?<![\w./-])(?:tests|docs|bench|scripts|shipit|sample_service)/[\w./-]+"
                  r"\.(?:py|md|sh|toml)\b")


def tracked() -> list[str]:
    out = subprocess.run(["git", "ls-files", "*.py", "*.md", "Makefile", "*.toml"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    return out.split()


PLACEHOLDER = re.compile(r"(?:^|/)(?:NAME|ID|N)(?:\.\w+)?$")
"""A path that ends in a name to fill in (``tests/stacks/cases/NAME.toml``) is a pattern."""


def test_every_named_path_exists() -> None:
    missing = sorted({f"{name}: {path}" for name in tracked()
                      for path in PATH.findall((ROOT / name).read_text(encoding="utf-8"))
                      if not (ROOT / path).exists() and not PLACEHOLDER.search(path)})
    assert missing == []


def test_no_reference_to_notes_outside_the_repository() -> None:
    names = set(tracked())
    mentions = sorted(name for name in names
                      if "MACHINE-NOTES" in (ROOT / name).read_text(encoding="utf-8")
                      and name != "tests/core/test_doc_references.py")
    assert mentions == [] or any(n.endswith("MACHINE-NOTES.md") for n in names), mentions
