"""Doctor's findings for people (a Rich table) and for machines (the JSON contract)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from shipit.doctor.checks import Check
from shipit.doctor.finding import Finding
from shipit.doctor.runner import tally

if TYPE_CHECKING:
    from rich.console import Console

_STYLE = {"pass": "green", "warn": "yellow", "fail": "red", "skip": "dim", "error": "magenta"}
_MARK = {"pass": "✓", "warn": "!", "fail": "✗", "skip": "-", "error": "?"}


def to_json(env: str | None, findings: Sequence[Finding]) -> dict[str, Any]:
    """{"env", "checks": [{"id","status","summary","detail","fix"}], "summary": {status: n}}."""
    return {
        "env": env,
        "checks": [finding.to_dict() for finding in findings],
        "summary": tally(findings),
    }


def summary_line(findings: Sequence[Finding]) -> str:
    counts = tally(findings)
    return ", ".join(f"{n} {status}" for status, n in counts.items() if n) or "no checks"


def print_findings(console: Console, env: str | None, findings: Sequence[Finding]) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"shipit doctor: {env or 'base config'}", title_justify="left")
    table.add_column("", no_wrap=True)
    table.add_column("check", no_wrap=True)
    table.add_column("result")
    for finding in findings:
        style = _STYLE[finding.status]
        text = f"[{style}]{escape(finding.summary)}[/{style}]"
        if finding.status != "pass" and finding.hop and finding.component:
            text += f"\n[bold]{escape(finding.hop)}[/bold], blocked by {escape(finding.component)}"
        if finding.status != "pass" and finding.detail:
            text += f"\n[dim]{escape(finding.detail)}[/dim]"
        if finding.fix and finding.status in ("warn", "fail", "error"):
            text += f"\n[bold]fix:[/bold] {escape(finding.fix)}"
        table.add_row(f"[{style}]{_MARK[finding.status]}[/{style}]", finding.id, text)
    console.print(table)
    console.print(summary_line(findings))


def print_checks(console: Console, checks: Sequence[Check]) -> None:
    from rich.table import Table

    table = Table(show_header=True, box=None)
    table.add_column("id", no_wrap=True)
    table.add_column("what it checks")
    for check in checks:
        table.add_row(check.id, check.title)
    console.print(table)
