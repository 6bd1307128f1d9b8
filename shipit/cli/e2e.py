"""`shipit e2e`: create an article, read it, find it by search, delete it; time every step."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from shipit.cli.context import get_context
from shipit.cli.options import EnvOption, JsonOption

if TYPE_CHECKING:
    from rich.console import Console

    from shipit.e2e import E2eReport


def register(app: typer.Typer) -> None:
    app.command("e2e")(e2e_command)


def e2e_command(
    ctx: typer.Context,
    url: str | None = typer.Option(None, "--url", metavar="URL",
                                   help="Service base URL (default: http.url)."),
    origin: str | None = typer.Option(
        None, "--origin", metavar="ORIGIN",
        help="Origin for the CORS preflight (default: the first http.cors_origins)."),
    env: EnvOption = None,
    json_output: JsonOption = False,
) -> None:
    """Run the demo path: create -> read -> search until found -> delete, then CORS.

    Exit 1 names the step that failed; the article is deleted whenever it was created.

    Example: shipit --env staging e2e --url https://api.staging.example.com
    """
    import time

    import httpx

    from shipit.e2e import E2eRun
    from shipit.errors import ConfigError, Failed, UsageError

    app = get_context(ctx, env=env, json_output=json_output)
    try:
        http = app.settings.http
    except ConfigError:
        if url is None:
            raise
        http = None  # any URL may be tested without a shipit.toml
    base = url or (http.url if http else None)
    if not base:
        raise UsageError("no URL to test", hint="pass --url URL or set http.url in shipit.toml")
    allowed = origin or (next(iter(http.cors_origins), None) if http else None)
    with httpx.Client(base_url=base, timeout=10.0) as client:
        report = E2eRun(client, time.monotonic, time.sleep, origin=allowed).run()
    app.output.result(report.to_dict(), lambda console: print_report(console, report))
    failed = report.failed_step
    if failed is not None:
        raise Failed(f"e2e failed at step {failed.name}: {failed.detail}",
                     hint="`shipit doctor` checks the service, its ALB, DNS and CORS")


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
