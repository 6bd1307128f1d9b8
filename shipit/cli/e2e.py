"""`shipit e2e`: create an article, read it, find it by search, delete it; time every step."""

from __future__ import annotations

import typer

from shipit.cli.context import get_context
from shipit.cli.options import EnvOption, JsonOption


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
    from shipit.config import Settings
    from shipit.e2e import BrowserOptions, E2eOptions, run, run_browser
    from shipit.e2e.render import print_browser_report, print_report
    from shipit.errors import ConfigError, Failed

    app = get_context(ctx, env=env, json_output=json_output)
    if browser:
        found = run_browser(app.settings, BrowserOptions(app.config.root, url=url, page=page))
        app.output.result(found.to_dict(), lambda console: print_browser_report(console, found))
        failed = found.failed_step
        if failed is not None:
            raise Failed(f"e2e --browser failed at step {failed.name}: {failed.detail}",
                         hint=failed.fix or f"see the screenshot {failed.screenshot}")
        return
    settings: Settings | None
    try:
        settings = app.settings
    except ConfigError:
        if url is None:
            raise
        settings = None  # any URL may be tested without a shipit.toml
    report = run(settings, E2eOptions(url=url, origin=origin))
    app.output.result(report.to_dict(), lambda console: print_report(console, report))
    failed_step = report.failed_step
    if failed_step is not None:
        raise Failed(f"e2e failed at step {failed_step.name}: {failed_step.detail}",
                     hint="`shipit doctor` checks the service, its ALB, DNS and CORS")
