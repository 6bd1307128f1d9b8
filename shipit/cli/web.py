"""`shipit web deploy`: the static frontend to S3 website hosting, with config.js, verified."""

from __future__ import annotations

import typer

from shipit.cli.context import get_context
from shipit.cli.options import EnvOption, JsonOption

web_app = typer.Typer(
    name="web",
    help="The static frontend (web.folder) on S3 website hosting.\n\n"
    "Example: shipit --env staging web deploy --dry-run",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(web_app)


@web_app.command("deploy")
def deploy(
    ctx: typer.Context,
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the plan; change nothing."),
    env: EnvOption = None,
    json_output: JsonOption = False,
) -> None:
    """Upload web.folder to web.bucket (website hosting), with config.js naming http.url.

    index.html and config.js are sent with Cache-Control: no-cache, other files with a long
    max-age (index.html references them with ?v=<md5>). Only files whose MD5 differs from the
    object's ETag are uploaded; every object is read back and checked.

    Example: shipit --env prod web deploy --json
    """
    from shipit.web.deploy import WebOptions, run
    from shipit.web.render import print_result

    app = get_context(ctx, env=env, json_output=json_output)
    out = app.output
    result = run(app.settings, app.aws, WebOptions(app.config.root, dry_run=dry_run),
                 progress=out.info)
    t = result.plan.target
    if dry_run:
        for line in result.plan.describe():
            out.info(f"  {line}")
        out.success("dry run: nothing changed")
    elif result.status == "unchanged":
        out.success(f"no change: {len(result.verified)} object(s) already up to date, verified")
    else:
        out.success(f"{len(result.uploaded)} uploaded, {len(result.plan.unchanged)} unchanged,"
                    f" {len(result.verified)} verified; page at {t.page_url}")
    for note in result.notes:
        out.warn(note)
    out.result(result.to_dict(), human=lambda console: print_result(console, result))
