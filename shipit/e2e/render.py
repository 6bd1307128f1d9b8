"""The e2e reports for people: one table of steps with their latency (the API path, the browser)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from shipit.e2e.browser import BrowserReport
    from shipit.e2e.path import E2eReport


def print_report(console: Console, report: E2eReport) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"shipit e2e: {report.url} (marker {report.marker})",
                  title_justify="left")
    for column in ("step", "", "latency", "detail"):
        table.add_column(column, no_wrap=column != "detail")
    for step in report.steps:
        mark = "-" if step.skipped else ("[green]✓[/green]" if step.ok else "[red]✗[/red]")
        table.add_row(step.name, mark, f"{step.seconds * 1000:.0f} ms", escape(step.detail))
    console.print(table)


def print_browser_report(console: Console, report: BrowserReport) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"shipit e2e --browser: {report.page_url} -> {report.api_url}"
                  f" (marker {report.marker})", title_justify="left")
    for column in ("step", "", "time", "detail"):
        table.add_column(column, no_wrap=column != "detail")
    for step in report.steps:
        mark = "[green]✓[/green]" if step.ok else "[red]✗[/red]"
        table.add_row(step.name, mark, f"{step.seconds * 1000:.0f} ms", escape(step.detail))
    console.print(table)
    shots = [s.screenshot for s in report.steps if s.screenshot]
    if shots:
        console.print(f"screenshots: {escape(', '.join(shots))}")
    for line in report.console_errors:
        console.print(f"[dim]console: {escape(line)}[/dim]")
