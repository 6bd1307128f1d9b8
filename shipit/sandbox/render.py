"""`shipit sandbox up|status` for people: where each stand-in listens, the store, each task."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from shipit.sandbox.state import SandboxState, TaskSummary


def print_state(console: Console, state: SandboxState) -> None:
    stack = state.stack
    rows = [
        ("status", f"{state.status} (pid {state.pid}, ready in {state.ready_seconds}s)"),
        ("AWS endpoint", state.endpoint_url),
        ("ALB", f"{state.proxy_url}  ({stack['load_balancer_dns'] if stack else None})"),
        ("S3 website", f"{state.website_url}  (shipit --env sandbox web deploy)"
         if state.website_port else "-"),
        ("ECS", f"cluster {stack['cluster_arn'].rsplit('/', 1)[-1] if stack else ''}"),
        ("database", state.database or "-"),
        ("service", "steady" if state.steady else "not steady (a deployment is in progress)"),
        ("store", f"{state.storage.get('driver')} ({state.storage.get('reason')})"
         if state.storage else "-"),
        ("use it", "shipit --env sandbox status"),
    ]
    for name, value in rows:
        console.print(f"{name:>13}  {value}", markup=False, highlight=False)
    for line in task_lines(state.tasks):
        console.print(f"{'':>13}  {line}", markup=False, highlight=False)


def task_lines(tasks: list[TaskSummary]) -> list[str]:
    """One line per task, newest first: revision, phase and health, then its summary."""
    from shipit.sandbox.state import task_summary

    return [f"task {task['id'][:8]} rev {task['revision']}:"
            f" {task['phase']}/{task['health']}; {task_summary(task)}"
            for task in reversed(tasks)] or ["tasks: none"]
