"""One observation of a service: the service, its recent tasks, its targets' health."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from shipit.aws import ecs, elbv2
from shipit.aws import logs as cwlogs
from shipit.deploy.verdict import Observation
from shipit.types import Clock

if TYPE_CHECKING:
    from shipit.aws.session import AwsSession


def observer(
    aws: AwsSession, cluster: str, service: str, clock: Clock
) -> Callable[[], Observation]:
    def observe() -> Observation:
        described = ecs.describe_service(aws, cluster, service)
        tasks = ecs.list_service_tasks(aws, cluster, service)
        targets: list[tuple[str, str]] = []
        for balancer in described.load_balancers:
            if balancer.target_group_arn:
                targets.extend((t.id, t.state)
                               for t in elbv2.target_health(aws, balancer.target_group_arn))
        return Observation(clock(), described, tuple(tasks), tuple(targets))

    return observe


def task_log_tail(
    aws: AwsSession, definition: ecs.TaskDefinition, container: str, task_id: str,
    lines: int = 20,
) -> list[str]:
    """The last lines the task's container wrote to CloudWatch (awslogs), if it has any."""
    for item in definition.get("containerDefinitions", []):
        if item.get("name") == container:
            target = cwlogs.awslogs_target(item)
            if target is None:
                return []
            events = cwlogs.stream_events(aws, target.group, target.stream(task_id),
                                          limit=lines)
            return [e.message for e in events]
    return []
