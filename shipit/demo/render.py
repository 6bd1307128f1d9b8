"""The demo's summary for people: a table of steps, then what was real and how to go on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shipit.demo.report import DemoReport

if TYPE_CHECKING:
    from rich.console import Console

MARKS = {"pass": "[green]pass[/green]", "warn": "[yellow]warn[/yellow]",
         "fail": "[red]FAIL[/red]", "skip": "[dim]skip[/dim]"}


def format_footer(report: DemoReport) -> list[str]:
    """Plain lines after the table: the verdict, what ran the task, how to use a kept sandbox."""
    failed = report.failed_step
    lines = [f"demo {'passed' if report.ok else 'FAILED at ' + (failed.step if failed else '?')}"
             f" in {report.seconds:.1f}s (builder: {report.builder})"]
    if report.task_runtime:
        from shipit.demo.steps import describe_task

        revision = report.task["revision"] if report.task else None
        lines.append(f"the deployed revision's task{f' (revision {revision})' if revision else ''}:"
                     f" {describe_task(report.task) if report.task else report.task_runtime}")
    if report.storage:
        lines.append(f"containers store: {report.storage.get('driver')}"
                     f" ({report.storage.get('reason')})")
    if report.next_commands:
        lines.append(f"the sandbox is still running (--keep) at {report.url}; use it with:")
        lines += [f"  {command}" for command in report.next_commands]
    return lines


def print_report(console: Console, report: DemoReport) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="shipit demo", title_justify="left")
    for column in ("step", "verdict", "time", "detail"):
        table.add_column(column, no_wrap=column != "detail",
                         justify="right" if column == "time" else "left")
    for step in report.steps:
        detail = step.detail + (f"\nhint: {step.hint}" if step.hint else "")
        table.add_row(step.step, MARKS[step.verdict], f"{step.seconds:.1f}s", escape(detail))
    console.print(table)
    for line in format_footer(report):
        console.print(line, markup=False, highlight=False)
