"""`shipit status`: the service on one screen (or one JSON document)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from shipit.cli.context import get_context
from shipit.cli.options import EnvOption, JsonOption

if TYPE_CHECKING:
    from rich.console import Console


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

    from shipit.cli.deploy import require_service
    from shipit.deploy.metrics import read_metrics
    from shipit.deploy.status import service_status

    app = get_context(ctx, env=env, json_output=json_output)
    cluster, service, container = require_service(app)

    def gather() -> dict[str, Any]:
        found = service_status(app.aws, cluster, service, container)
        report = found.to_dict()
        if not no_metrics:
            report["metrics"] = read_metrics(app.aws, found.service, minutes=minutes).to_dict()
        return report

    if watch and app.output.interactive:
        from rich.live import Live

        with Live(console=app.output.out, auto_refresh=False, screen=False) as live:
            while True:
                report = gather()
                live.update(_renderable(report, sparks=True), refresh=True)
                time.sleep(watch)
    report = gather()
    sparks = app.output.out.is_terminal
    app.output.result(report, human=lambda console: print_status(console, report, sparks))


def _renderable(report: dict[str, Any], *, sparks: bool) -> Any:
    from rich.text import Text

    return Text("\n".join(format_status(report, sparks=sparks)))


def print_status(console: Console, report: dict[str, Any], sparks: bool = False) -> None:
    for text in format_status(report, sparks=sparks):
        console.print(text, markup=False, highlight=False)


def format_status(report: dict[str, Any], *, sparks: bool = False) -> list[str]:
    """The status screen as plain lines (sparklines only for a terminal)."""
    lines: list[str] = []
    line = lines.append

    verdict = "healthy" if report["healthy"] else "NOT healthy"
    line(f"service     {report['cluster']}/{report['service']}  {report['status']}  ({verdict})")
    line(f"revision    {report['revision']}  image {report['image']}")
    line(f"tasks       desired {report['desired']}  running {report['running']}"
         f"  pending {report['pending']}")
    breaker = report["circuit_breaker"]
    line(f"breaker     enable={breaker['enable']} rollback={breaker['rollback']}")
    line("deployments")
    for d in report["deployments"]:
        line(f"  {d['status']:<8} rev {d['revision']:<3} {d['rollout_state'] or '-':<11}"
             f" running {d['running']}/{d['desired']} failed {d['failed']}  {d['id']}")
    line("recent tasks")
    for t in report["tasks"]:
        reason = f"  {t['stopped_reason']}" if t["stopped_reason"] else ""
        kind = f" [{t['failure']}]" if t["failure"] else ""
        life = "".join(f" {name} {t[key]:.1f}s" for name, key in (
            ("pull", "pull_seconds"), ("start", "start_seconds")) if t.get(key) is not None)
        line(f"  {t['id'][:8]} rev {t['revision']:<3} {t['last_status']:<9}{kind}{life}{reason}")
    line("targets")
    for target in report["targets"] or [{"id": "none", "port": "", "state": "", "reason": ""}]:
        line(f"  {target['id']}:{target['port']} {target['state']} {target['reason'] or ''}")
    metrics = report.get("metrics")
    if metrics is not None:
        from shipit.deploy.metrics import format_series

        line(f"metrics     last {metrics['minutes']} min, {metrics['period_seconds']} s points")
        lines.extend(format_series(metrics, sparks=sparks))
    line("events")
    for event in report["events"][:5]:
        line(f"  {event['message']}")
    return lines
