"""`shipit e2e`: create an article, read it, find it by search, delete it; time every step."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from shipit.cli.context import get_context
from shipit.cli.options import EnvOption, JsonOption

if TYPE_CHECKING:
    from shipit.cli.context import AppContext


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
    from shipit.e2e.render import print_report
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


def browser_e2e(app: AppContext, url: str | None, page: str | None) -> None:
    from shipit.config.origins import allowed_origins, web_origin
    from shipit.e2e import browser as e2e_browser
    from shipit.e2e.render import print_browser_report
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
