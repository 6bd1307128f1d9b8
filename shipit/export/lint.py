"""Lint a template with cfn-lint (offline, the current resource specification) for one region.

cfn-lint is a development dependency (the dev extra): the demo and the tests use it; a user
without it gets a clear message instead of an ImportError.
"""

from __future__ import annotations

from dataclasses import dataclass

from shipit.errors import EnvironmentProblem

LEVELS = {"E": "error", "W": "warning", "I": "informational"}


@dataclass(frozen=True)
class LintFinding:
    rule: str
    level: str
    message: str
    line: int


def lint_template(text: str, region: str) -> list[LintFinding]:
    """Every cfn-lint finding (errors, warnings and informational) of ``text`` in ``region``."""
    try:
        from cfnlint.api import ManualArgs, lint
    except ImportError:
        raise EnvironmentProblem(
            "cfn-lint is not installed", hint="pip install cfn-lint (shipit's dev extra)",
        ) from None
    matches = lint(text, config=ManualArgs(regions=[region], include_checks=["I"]))
    return [LintFinding(m.rule.id, LEVELS.get(m.rule.id[:1], "error"), str(m.message),
                        int(m.linenumber)) for m in matches]


def errors(findings: list[LintFinding]) -> list[LintFinding]:
    return [f for f in findings if f.level == "error"]
