"""`shipit status`: the service on one screen (or one JSON document)."""

from __future__ import annotations

from typing import Any

import typer

from shipit.cli.context import get_context
from shipit.cli.options import EnvOption, JsonOption


def register(app: typer.Typer) -> None:
    app.command("status")(status)


def status(
    ctx: typer.Context, env: EnvOption = None, json_output: JsonOption = False,
    minutes: int = typer.Option(15, "--minutes", min=1, max=1440,
                                help="Metrics of the last N minutes (1-minute points)."),
    no_metrics: bool = typer.Option(False, "--no-metrics", help="Skip CloudWatch metrics."),
    watch: float = typer.Option(0.0, "--watch", min=0.0, metavar="SECONDS",
                                help="Redraw every SECONDS until Ctrl-C (a terminal only)."),
) -> None:
    """Show the service: revision and image, deployments, tasks, targets, metrics, events.

    Metrics: CPU and memory (AWS/ECS), requests, 5xx and response time p50/p99
    (AWS/ApplicationELB), read in one GetMetricData call.

    Example: shipit --env sandbox status --minutes 30 --watch 5
    """
    import time

    from shipit.deploy.status import StatusOptions, run
    from shipit.deploy.status_render import print_status, renderable

    app = get_context(ctx, env=env, json_output=json_output)
    settings = app.settings
    options = StatusOptions(env=app.env, minutes=minutes, metrics=not no_metrics)

    def gather() -> dict[str, Any]:
        return run(settings, app.aws, options).to_dict()

    if watch and app.output.interactive:
        from rich.live import Live

        with Live(console=app.output.out, auto_refresh=False, screen=False) as live:
            while True:
                report = gather()
                live.update(renderable(report, sparks=True), refresh=True)
                time.sleep(watch)
    report = gather()
    sparks = app.output.out.is_terminal
    app.output.result(report, human=lambda console: print_status(console, report, sparks))
