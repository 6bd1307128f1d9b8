"""`shipit logs`: the service's CloudWatch logs, the newest task's by default."""

from __future__ import annotations

import typer

from shipit.cli.context import get_context
from shipit.cli.options import EnvOption, JsonOption


def register(app: typer.Typer) -> None:
    app.command("logs")(logs)


def logs(
    ctx: typer.Context,
    since: str = typer.Option("10m", "--since", help="How far back, e.g. 90s, 10m, 2h."),
    follow_lines: bool = typer.Option(False, "--follow", "-f", help="Keep printing new lines."),
    filter_text: str | None = typer.Option(None, "--filter", help="Only lines with TEXT."),
    task: str | None = typer.Option(None, "--task", help="A task id (default: the newest)."),
    all_tasks: bool = typer.Option(False, "--all", help="Every task of the service."),
    env: EnvOption = None,
    json_output: JsonOption = False,
) -> None:
    """Print the service's logs from CloudWatch (awslogs), newest task by default.

    Example: shipit --env sandbox logs --since 5m --filter ERROR
    """
    import time

    from shipit.deploy.logview import LogOptions, follow, run
    from shipit.deploy.render import print_lines
    from shipit.deploy.wait import parse_since

    app = get_context(ctx, env=env, json_output=json_output)
    options = LogOptions(parse_since(since), env=app.env, text=filter_text, task=task,
                         all_tasks=all_tasks)
    if follow_lines and not app.output.json_mode:
        for event in follow(app.settings, app.aws, options, clock=time.time, sleep=time.sleep):
            app.output.out.print(event.line(), markup=False, highlight=False)
        return
    found = run(app.settings, app.aws, options, now=time.time())
    app.output.result(found.to_dict(),
                      human=lambda console: print_lines(console, [e.line() for e in found.events]))
