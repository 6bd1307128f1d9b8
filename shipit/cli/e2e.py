"""`shipit e2e`: create an article, read it, find it by search, delete it; time every step."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from shipit.cli.context import get_context
from shipit.cli.options import EnvOption, JsonOption

if TYPE_CHECKING:
    from rich.console import Console

    from shipit.cli.context import AppContext
    from shipit.e2e import E2eReport
    from shipit.e2e_browser import BrowserReport


def register(app: typer.Typer) -> None:
    app.command("e2e")(e2e_command)


def e2e_command(
    ctx: typer.Context,
    url: str | None = typer.Option(None, "--url", metavar="URL",
                                   help="Service base URL (default: http.url)."),
    origin: str | None = typer.Option(
        None, "--origin", metavar="ORIGIN",
        help="Origin for the CORS preflight (default: the first http.cors_origins)."),
    browser: bool = typer.Option(
        False, "--browser",
        help="Drive the deployed page (web.origin) in headless Chromium instead: open, create"
        " through the form, read back, search, CORS headers; screenshots in .shipit/e2e/."),
    page: str | None = typer.Option(
        None, "--page", metavar="URL",
        help="With --browser: the page's URL (default: web.origin, else http://web.name)."),
    env: EnvOption = None,
    json_output: JsonOption = False,
) -> None:
    """Run the demo path: create -> read -> search until found -> delete, then CORS.

    Exit 1 names the step that failed; the article is deleted whenever it was created.
    With --browser the same path goes through the deployed page in a real Chromium, and a
    CORS fault is reported as the browser saw it, with the origin to allow.

    Example: shipit --env staging e2e --url https://api.staging.example.com

    Example: shipit --env sandbox e2e --browser --json
    """
    from shipit.defaults import DEFAULT_HEALTH_PATH
    from shipit.e2e import run_path
    from shipit.errors import ConfigError, Failed, UsageError

    app = get_context(ctx, env=env, json_output=json_output)
    if browser:
        browser_e2e(app, url, page)
        return
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
    report = run_path(base, origin=allowed,
                      health_path=http.health_path if http else DEFAULT_HEALTH_PATH)
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


def browser_e2e(app: AppContext, url: str | None, page: str | None) -> None:
    from shipit import e2e_browser
    from shipit.config.origins import allowed_origins, web_origin
    from shipit.errors import Failed, UsageError
    from shipit.project_paths import ProjectPaths

    settings = app.settings
    api = url or settings.http.url
    page_url = page or web_origin(settings)
    if not api:
        raise UsageError("no API URL to test", hint="pass --url URL or set http.url")
    if not page_url:
        raise UsageError("no page to open", hint="pass --page URL or set web.origin / web.name"
                         " (`shipit web deploy` puts the page there)")
    shots = ProjectPaths(app.config.root).e2e_screenshots
    report = e2e_browser.run(page_url, api, shots_dir=shots,
                             allowed_origins=allowed_origins(settings))
    app.output.result(report.to_dict(), lambda console: print_browser_report(console, report))
    failed = report.failed_step
    if failed is not None:
        raise Failed(f"e2e --browser failed at step {failed.name}: {failed.detail}",
                     hint=failed.fix or f"see the screenshot {failed.screenshot}")


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
