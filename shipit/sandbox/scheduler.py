"""The ECS service scheduler stand-in: moves the sandbox service's deployments as ECS does.

Each tick: observe every task (exited? healthy on the target group's path?), then reconcile
the PRIMARY deployment: start tasks up to the desired count, COMPLETE it when enough are
healthy (stopping the old revision's tasks), or FAIL it at the circuit-breaker threshold and
roll back to the last completed revision. Timing is injected (``Timing``, ``clock``).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shipit.sandbox import world
from shipit.sandbox.preflight import Stop
from shipit.sandbox.tasks import (
    SandboxTask,
    TaskContext,
    launch,
    mark_health,
    over_memory,
    probe,
    stop,
)

CIRCUIT_BREAKER_REASON = "ECS deployment circuit breaker: tasks failed to start."


@dataclass(frozen=True)
class Timing:
    """Sandbox time: ECS's seconds and minutes shrunk so a rehearsal takes seconds."""

    tick: float = 0.2
    grace: float = 3.0
    """Stand-in for healthCheckGracePeriodSeconds: failed checks before it do not count."""
    restart_delay: float = 0.2
    health_interval: float = 0.5
    """Seconds between two health checks of a task (the target group's 10 s, shrunk)."""
    launch_delay: float = 0.0
    """Seconds a task stays PROVISIONING before it starts (Fargate takes 20-60 s)."""
    health_timeout: float = 2.0
    healthy_threshold: int = 2
    unhealthy_threshold: int = 2


def circuit_breaker_threshold(desired: int) -> int:
    """ECS's failed-task threshold: half the desired count, at least 3, at most 200."""
    return max(3, min(200, math.ceil(desired * 0.5)))


class Scheduler:
    def __init__(
        self, ctx: TaskContext, cluster: str, service: str, health_path: str, timing: Timing,
        *, clock: Callable[[], float] = time.monotonic,
        on_change: Callable[[dict[str, int], dict[str, str]], None] | None = None,
    ) -> None:
        self.ctx = ctx
        self.cluster = cluster
        self.service_name = service
        self.health_path = health_path
        self.timing = timing
        self.clock = clock
        self.on_change = on_change
        self.tasks: dict[str, SandboxTask] = {}
        self.last_completed: str | None = None
        self._last_stop: dict[str, float] = {}
        self._ports_lock = threading.Lock()
        self._healthy_ports: list[int] = []

    # -- the loop ----------------------------------------------------------------------------
    def run(self, stopping: threading.Event) -> None:
        while not stopping.is_set():
            try:
                self.tick()
            except Exception as exc:  # one bad tick must not end the sandbox
                print(f"scheduler: tick failed: {exc!r}", flush=True)
            stopping.wait(self.timing.tick)

    def healthy_ports(self) -> list[int]:
        with self._ports_lock:
            return list(self._healthy_ports)

    def shutdown(self) -> None:
        for task in list(self.tasks.values()):
            if not task.stopped:
                stop(self.ctx, task, Stop("Task stopped by the sandbox", "UserInitiated"))
        self.tasks.clear()

    def tick(self) -> None:
        service = self.ctx.backends.service(self.cluster, self.service_name)
        if service is None or service.status != "ACTIVE":
            return
        for task in [t for t in self.tasks.values() if not t.stopped]:
            if not task.launched:
                self._launch_when_due(service, task)
            else:
                self._observe(service, task)
        with world.LOCK:
            self._reconcile(service)
            self._count(service)
        self._publish()

    # -- observe -----------------------------------------------------------------------------
    def _observe(self, service: Any, task: SandboxTask) -> None:
        process = task.process
        if process is None:
            return
        if over_memory(task):
            self._stop(service, task, Stop(
                "Essential container in task exited", "EssentialContainerExited",
                container_reason="OutOfMemoryError: Container killed due to memory usage",
                exit_code=137,
            ))
            return
        code = process.exit_code()
        if code is not None:
            process.wait_output(1.0)
            self._stop(service, task, Stop(
                "Essential container in task exited", "EssentialContainerExited",
                exit_code=code,
            ))
            return
        if self.clock() - task.last_probe < self.timing.health_interval:
            return
        task.last_probe = self.clock()
        ok = probe(self.ctx, task, self.health_path, self.timing.health_timeout)
        if ok:
            task.passes, task.failures = task.passes + 1, 0
            if not task.healthy and task.passes >= self.timing.healthy_threshold:
                task.healthy = task.ever_healthy = True
                mark_health(self.ctx, task, "healthy", None)
            return
        task.passes = 0
        if self.clock() - task.started_at < self.timing.grace and not task.ever_healthy:
            return
        task.failures += 1
        if task.failures >= self.timing.unhealthy_threshold:
            mark_health(self.ctx, task, "unhealthy", "Target.FailedHealthChecks")
            with world.LOCK:
                world.add_event(service, f"(service {service.name}) (port"
                                f" {self.ctx.container_port}) is unhealthy in (target-group"
                                f" {self.ctx.target_group_arn}) due to (reason Health checks"
                                " failed).")
            self._stop(service, task, Stop(
                f"Task failed ELB health checks in (target-group {self.ctx.target_group_arn})",
                "ServiceSchedulerInitiated",
            ))

    # -- reconcile ---------------------------------------------------------------------------
    def _reconcile(self, service: Any) -> None:
        primary = next((d for d in service.deployments if d["status"] == "PRIMARY"), None)
        if primary is None:
            return
        desired = int(service.desired_count)
        mine = self._live(primary["id"])
        state = primary.get("rolloutState")
        if state == "IN_PROGRESS":
            if len([t for t in mine if t.healthy]) >= desired:
                self._complete(service, primary)
                return
            breaker = (getattr(service, "deployment_configuration", None) or {}).get(
                "deploymentCircuitBreaker"
            ) or {}
            threshold = circuit_breaker_threshold(desired)
            if breaker.get("enable") and int(primary["failedTasks"]) >= threshold:
                self._fail(service, primary, rollback=bool(breaker.get("rollback")))
                return
        elif state == "FAILED":
            return
        self._start_missing(service, primary, desired - len(mine))

    def _start_missing(self, service: Any, deployment: dict[str, Any], missing: int) -> None:
        since = self.clock() - self._last_stop.get(deployment["id"], -1e9)
        if missing <= 0 or since < self.timing.restart_delay:
            return
        for _ in range(missing):
            moto_task = self.ctx.backends.new_task(
                service, deployment["taskDefinition"], deployment["id"]
            )
            task = SandboxTask(moto_task, deployment["id"], deployment["taskDefinition"],
                               started_at=self.clock())
            self.tasks[task.arn] = task
            world.add_event(service, f"(service {service.name}) has started 1 tasks:"
                            f" (task {task.id}).")
            self._launch_when_due(service, task)

    def _launch_when_due(self, service: Any, task: SandboxTask) -> None:
        if self.clock() - task.started_at < self.timing.launch_delay:
            return
        task.launched = True
        task.started_at = self.clock()
        why = launch(self.ctx, task)
        task.started_at = self.clock()  # a pull (PENDING) does not eat the grace period
        if why is not None:
            self._stop(service, task, why)

    def _complete(self, service: Any, deployment: dict[str, Any]) -> None:
        # ECS drains the old revision's tasks first; COMPLETED comes after.
        for task in [t for t in self.tasks.values() if not t.stopped]:
            if task.deployment_id != deployment["id"]:
                self._stop(service, task, Stop(
                    f"Scaling activity initiated by (deployment {deployment['id']})",
                    "ServiceSchedulerInitiated",
                ), count_failure=False)
        deployment["rolloutState"] = "COMPLETED"
        deployment["rolloutStateReason"] = f"ECS deployment {deployment['id']} completed."
        deployment["updatedAt"] = world.utcnow()
        self.last_completed = deployment["taskDefinition"]
        service.deployments = [deployment]  # replaced deployments leave the list, as in ECS
        world.add_event(service, f"(service {service.name}) (deployment {deployment['id']})"
                        " deployment completed.")
        world.add_event(service, f"(service {service.name}) has reached a steady state.")

    def _fail(self, service: Any, deployment: dict[str, Any], *, rollback: bool) -> None:
        deployment["rolloutState"] = "FAILED"
        deployment["rolloutStateReason"] = CIRCUIT_BREAKER_REASON
        deployment["updatedAt"] = world.utcnow()
        world.add_event(service, f"(service {service.name}) (deployment {deployment['id']})"
                        " deployment failed: tasks failed to start.")
        for task in self._live(deployment["id"]):
            self._stop(service, task, Stop(
                f"Scaling activity initiated by (deployment {deployment['id']})",
                "ServiceSchedulerInitiated",
            ), count_failure=False)
        if not rollback or self.last_completed is None:
            return
        back = world.start_deployment(service, self.last_completed)
        service.task_definition = self.last_completed
        for task in self.tasks.values():
            if not task.stopped and task.task_definition == self.last_completed:
                task.deployment_id = back["id"]  # the previous revision keeps serving
        world.add_event(service, f"(service {service.name}) rolling back to deployment"
                        f" {back['id']}.")

    def _stop(
        self, service: Any, task: SandboxTask, why: Stop, *, count_failure: bool = True
    ) -> None:
        stop(self.ctx, task, why)
        self._last_stop[task.deployment_id] = self.clock()
        with world.LOCK:
            deployment = next(
                (d for d in service.deployments if d["id"] == task.deployment_id), None
            )
            if count_failure and deployment is not None and not task.ever_healthy:
                deployment["failedTasks"] = int(deployment["failedTasks"]) + 1
            world.add_event(service, f"(service {service.name}) has stopped 1 running tasks:"
                            f" (task {task.id}).")

    # -- bookkeeping -------------------------------------------------------------------------
    def _live(self, deployment_id: str) -> list[SandboxTask]:
        return [t for t in self.tasks.values()
                if not t.stopped and t.deployment_id == deployment_id]

    def _count(self, service: Any) -> None:
        running = pending = 0
        for deployment in service.deployments:
            live = self._live(deployment["id"])
            deployment["runningCount"] = len([t for t in live if t.host_port is not None])
            deployment["pendingCount"] = len(live) - deployment["runningCount"]
            deployment["desiredCount"] = (
                service.desired_count if deployment["status"] == "PRIMARY" else len(live)
            )
            running += deployment["runningCount"]
            pending += deployment["pendingCount"]
        service.running_count, service.pending_count = running, pending
        for arn in [a for a, t in self.tasks.items() if t.stopped]:
            del self.tasks[arn]  # moto keeps the STOPPED Task for describe_tasks

    def _publish(self) -> None:
        ports = [t.host_port for t in self.tasks.values()
                 if t.healthy and not t.stopped and t.host_port is not None]
        with self._ports_lock:
            self._healthy_ports = ports
        if self.on_change is not None:
            live = [t for t in self.tasks.values() if t.process is not None and not t.stopped]
            self.on_change({t.id: t.process.pid for t in live
                            if t.process is not None and t.process.pid is not None},
                           {t.id: t.runtime for t in live})
