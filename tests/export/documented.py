"""The cfn-lint findings docs/commands/export.md names, with why each stays: a template may
show these and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

from shipit.export.lint import LintFinding

DOC = Path(__file__).resolve().parents[2] / "docs" / "commands" / "export.md"


def documented_findings() -> set[str]:
    return set(re.findall(r"^\| `([EWI]\d{4})`", DOC.read_text(encoding="utf-8"), re.M))


def undocumented(findings: list[LintFinding]) -> list[LintFinding]:
    """Errors, and warnings or informational findings the docs do not name."""
    named = documented_findings()
    return [f for f in findings if f.level == "error" or f.rule not in named]
