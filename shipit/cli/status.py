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


def status(ctx: typer.Context, env: EnvOption = None, json_output: JsonOption = False) -> None:
    """Show the service: revision and image, deployments, tasks, target health, events.

    Example: shipit --env sandbox status --json
    """
    from shipit.cli.deploy import require_service
    from shipit.deploy.status import service_status

    app = get_context(ctx, env=env, json_output=json_output)
    cluster, service, container = require_service(app)
    report = service_status(app.aws, cluster, service, container).to_dict()
    app.output.result(report, human=lambda console: print_status(console, report))


def print_status(console: Console, report: dict[str, Any]) -> None:
    def line(text: str) -> None:
        console.print(text, markup=False, highlight=False)

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
    line("events")
    for event in report["events"][:5]:
        line(f"  {event['message']}")
