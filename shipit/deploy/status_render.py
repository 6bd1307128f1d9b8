"""`shipit status` for people: the service on one screen, as plain lines (sparklines on a
terminal); the JSON document is ServiceStatus.to_dict() plus the metrics."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console


def renderable(report: dict[str, Any], *, sparks: bool) -> Any:
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
