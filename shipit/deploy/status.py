"""One screen about a service: running revision and image, deployments, tasks, targets, events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shipit.aws import ecs, elbv2
from shipit.deploy.classify import classify

if TYPE_CHECKING:
    from shipit.aws.session import AwsSession
    from shipit.config import Settings
    from shipit.deploy.metrics import Metrics


@dataclass(frozen=True)
class StatusOptions:
    """What `shipit status` is asked."""

    env: str | None = None
    """The environment's name, for messages (None: the base of shipit.toml)."""
    minutes: int = 15
    """Metrics of the last N minutes (1-minute points)."""
    metrics: bool = True


@dataclass(frozen=True)
class StatusReport:
    """The service on one screen, and its metrics when asked."""

    status: ServiceStatus
    metrics: Metrics | None = None

    def to_dict(self) -> dict[str, Any]:
        report = self.status.to_dict()
        if self.metrics is not None:
            report["metrics"] = self.metrics.to_dict()
        return report


def run(settings: Settings, aws: AwsSession, options: StatusOptions) -> StatusReport:
    """`shipit status` as a library call (each --watch redraw calls it again)."""
    from shipit.deploy.metrics import read_metrics
    from shipit.deploy.settings import require_service

    cluster, service, container = require_service(settings, options.env)
    found = service_status(aws, cluster, service, container)
    metrics = read_metrics(aws, found.service, minutes=options.minutes) if options.metrics \
        else None
    return StatusReport(found, metrics)


@dataclass(frozen=True)
class ServiceStatus:
    service: ecs.Service
    image: str | None
    tasks: tuple[ecs.Task, ...]
    targets: tuple[elbv2.TargetHealth, ...]

    @property
    def healthy(self) -> bool:
        primary = self.service.primary
        return (primary is not None and primary.rollout_state in (None, "COMPLETED")
                and self.service.running >= self.service.desired > 0
                and all(t.state == "healthy" for t in self.targets
                        if t.state not in ("draining", "unused")))

    def to_dict(self) -> dict[str, Any]:
        service = self.service
        return {
            "service": service.name,
            "cluster": service.cluster_arn.rsplit("/", 1)[-1],
            "status": service.status,
            "healthy": self.healthy,
            "task_definition": service.task_definition,
            "revision": ecs.revision_of(service.task_definition),
            "image": self.image,
            "desired": service.desired,
            "running": service.running,
            "pending": service.pending,
            "circuit_breaker": {"enable": service.circuit_breaker,
                                "rollback": service.circuit_breaker_rollback},
            "deployments": [{
                "id": d.id, "status": d.status, "revision": d.revision,
                "rollout_state": d.rollout_state, "rollout_reason": d.rollout_reason,
                "desired": d.desired, "running": d.running, "pending": d.pending,
                "failed": d.failed,
            } for d in service.deployments],
            "tasks": [_task(t) for t in self.tasks],
            "targets": [{"id": t.id, "port": t.port, "state": t.state, "reason": t.reason}
                        for t in self.targets],
            "events": [{"at": str(e.created_at), "message": e.message}
                       for e in service.events[:8]],
        }


def service_status(
    aws: AwsSession, cluster: str, service: str, container: str, *, tasks: int = 8
) -> ServiceStatus:
    described = ecs.describe_service(aws, cluster, service)
    definition = ecs.describe_task_definition(aws, described.task_definition)
    image = next((c.get("image") for c in definition.get("containerDefinitions", [])
                  if c.get("name") == container), None)
    targets: list[elbv2.TargetHealth] = []
    for balancer in described.load_balancers:
        if balancer.target_group_arn:
            targets.extend(elbv2.target_health(aws, balancer.target_group_arn))
    recent = ecs.list_service_tasks(aws, cluster, service)[:tasks]
    return ServiceStatus(described, image, tuple(recent), tuple(targets))


def _task(task: ecs.Task) -> dict[str, Any]:
    first = task.containers[0] if task.containers else None
    failure = classify(task.stopped_reason, stop_code=task.stop_code,
                       exit_code=first.exit_code if first else None,
                       container_reason=first.reason if first else None)
    return {
        "id": task.id, "revision": task.revision, "last_status": task.last_status,
        "started_at": str(task.started_at) if task.started_at else None,
        "pull_seconds": _seconds(task.pull_started_at, task.pull_stopped_at),
        "start_seconds": _seconds(task.created_at, task.started_at),
        "stopped_reason": task.stopped_reason,
        "exit_code": first.exit_code if first else None,
        "failure": failure.kind if failure else None,
    }


def _seconds(began: Any, ended: Any) -> float | None:
    """Seconds between two of ECS's timestamps (pullStartedAt -> pullStoppedAt, createdAt ->
    startedAt), or None when either is missing."""
    try:
        return round(float((ended - began).total_seconds()), 1)
    except (TypeError, AttributeError):
        return None
