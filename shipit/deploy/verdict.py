"""What one observation of the service means for the deployment being followed (pure).

``judge`` returns a ``RolloutOutcome`` once the outcome is known, else None (keep waiting):
COMPLETED is success; FAILED (the circuit breaker) and a deployment replaced by an older
revision (a rollback) are failures, never success; the first stopped task of the new
revision with a fatal reason ends the wait at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from shipit.aws.ecs import Deployment, Service, Task, revision_of
from shipit.deploy.classify import Failure, classify


@dataclass(frozen=True)
class Observation:
    at: float
    """Clock seconds (the injected clock) when it was taken."""
    service: Service
    tasks: tuple[Task, ...] = ()
    targets: tuple[tuple[str, str], ...] = ()
    """(target id, state) of the service's target group."""


@dataclass(frozen=True)
class RolloutOutcome:
    outcome: str  # success | failed | rolled-back | timeout
    message: str
    failure: Failure | None = None
    task: Task | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == "success"


def judge(observation: Observation, deployment_id: str, task_definition: str
          ) -> RolloutOutcome | None:
    service = observation.service
    deployment = service.deployment(deployment_id)
    if deployment is None:
        return _gone(observation, deployment_id, task_definition)
    stopped = first_fatal_stop(observation.tasks, deployment)
    if deployment.rollout_state == "FAILED":
        reason = deployment.rollout_reason or "the deployment failed"
        rolled = service.primary is not None and service.primary.task_definition != (
            task_definition
        )
        task, failure = stopped if stopped else (None, None)
        if rolled and service.primary is not None:
            return RolloutOutcome("rolled-back", f"{reason} ECS rolled the service back to revision"
                           f" {service.primary.revision}.", failure, task)
        return RolloutOutcome("failed", reason, failure, task)
    if stopped is not None:
        task, failure = stopped
        return RolloutOutcome("failed", f"task {task.id} of revision {task.revision} stopped:"
                       f" {failure.title}", failure, task)
    if deployment.status != "PRIMARY":
        return None
    if deployment.rollout_state == "COMPLETED" and deployment.running >= deployment.desired:
        return RolloutOutcome("success", f"deployment {deployment.id} completed: revision"
                       f" {deployment.revision} runs {deployment.running}/{deployment.desired}")
    if deployment.rollout_state is None and _steady(service, deployment):
        return RolloutOutcome("success", f"the service is steady on revision {deployment.revision}"
                       f" ({deployment.running}/{deployment.desired} running)")
    return None


def first_fatal_stop(
    tasks: tuple[Task, ...], deployment: Deployment
) -> tuple[Task, Failure] | None:
    """The earliest stopped task of this deployment whose reason is a fatal failure."""
    return _first_fatal([t for t in tasks if _belongs(t, deployment)])


def _first_fatal(tasks: list[Task]) -> tuple[Task, Failure] | None:
    mine = [t for t in tasks if t.last_status == "STOPPED"]
    for task in sorted(mine, key=lambda t: t.stopped_at.timestamp() if t.stopped_at else 0.0):
        container = task.containers[0] if task.containers else None
        failure = classify(
            task.stopped_reason, stop_code=task.stop_code,
            exit_code=container.exit_code if container else None,
            container_reason=container.reason if container else None,
        )
        if failure is not None and failure.fatal:
            return task, failure
    return None


def describe(observation: Observation, deployment_id: str) -> str:
    """One line: what was last seen (for progress lines and the timeout message)."""
    service = observation.service
    deployment = service.deployment(deployment_id)
    if deployment is None:
        return f"deployment {deployment_id} not listed; primary revision" \
               f" {service.primary.revision if service.primary else '?'}"
    healthy = sum(1 for _, state in observation.targets if state == "healthy")
    return (f"revision {deployment.revision} {deployment.rollout_state or deployment.status}:"
            f" running {deployment.running}/{deployment.desired}, pending {deployment.pending},"
            f" failed {deployment.failed}; targets healthy {healthy}/{len(observation.targets)}")


def _belongs(task: Task, deployment: Deployment) -> bool:
    if task.task_definition != deployment.task_definition:
        return False
    if task.started_by:
        return task.started_by == deployment.id
    created = task.created_at
    return created is None or deployment.created_at is None or created >= deployment.created_at


def _steady(service: Service, deployment: Deployment) -> bool:
    return len(service.deployments) == 1 and deployment.running == deployment.desired


def _gone(observation: Observation, deployment_id: str, task_definition: str
          ) -> RolloutOutcome | None:
    """The followed deployment is no longer listed: replaced by another revision's (a rollback,
    which can finish between two looks), with the reason its tasks stopped when they are still
    listed (a task started by that deployment, or of its revision when ECS named no starter)."""
    primary = observation.service.primary
    if primary is None:
        return None
    if primary.task_definition == task_definition:
        return None  # a newer deployment of the same revision; the caller may follow it
    stopped = _first_fatal([t for t in observation.tasks if t.task_definition == task_definition
                            and t.started_by in (deployment_id, None, "")])
    task, failure = stopped if stopped else (None, None)
    return RolloutOutcome("rolled-back", f"deployment {deployment_id} is gone: the service runs"
                   f" revision {revision_of(primary.task_definition)} (deployment {primary.id})",
                   failure, task)
