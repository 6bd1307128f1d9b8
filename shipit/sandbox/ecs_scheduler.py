"""The ECS service scheduler stand-in: moves the sandbox service's deployments as ECS does.

Each tick: move every task along its life (task_life.py: PROVISIONING -> PENDING -> RUNNING ->
health checks with the target group's own settings -> STOPPED), then reconcile the PRIMARY
deployment: start tasks up to the desired count, COMPLETE it when enough are healthy (stopping
the old revision's tasks), or FAIL it at the circuit-breaker threshold and roll back to the last
completed revision. PENDING's work (pull, create, start) and the health checks run on threads
of their own, so a slow pull never delays another task's checks. Time is injected (``clock``).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from shipit.sandbox import moto_world
from shipit.sandbox.background import in_background
from shipit.sandbox.fargate_task import (
    SandboxTask,
    TaskContext,
    mark_health,
    one_off_overrides,
    over_memory,
    prepare,
    probe,
    register,
    stop,
)
from shipit.sandbox.preflight import Stop
from shipit.sandbox.task_life import HealthPolicy, TaskLife, TimeScale
from shipit.sandbox.timing import Timing
from shipit.types import Clock

CIRCUIT_BREAKER_REASON = "ECS deployment circuit breaker: tasks failed to start."
HISTORY = 20
"""Stopped tasks kept for ``sandbox status`` and the demo (newest last)."""


def circuit_breaker_threshold(desired: int) -> int:
    """ECS's failed-task threshold: half the desired count, at least 3, at most 200."""
    return max(3, min(200, math.ceil(desired * 0.5)))


Run = Callable[[Callable[[], Any]], "Future[Any]"]
"""Runs a function off the scheduler's thread (a daemon thread; tests run it inline)."""


class Scheduler:
    def __init__(
        self, ctx: TaskContext, cluster: str, service: str, timing: Timing,
        *, clock: Clock = time.monotonic, run: Run | None = None,
        on_change: Callable[[Scheduler], None] | None = None,
        prepare_task: Callable[[SandboxTask], Stop | None] | None = None,
        check: Callable[[SandboxTask], bool] = probe,
    ) -> None:
        self.ctx = ctx
        self.cluster = cluster
        self.service_name = service
        self.timing = timing
        self.scale = TimeScale(timing.time_scale)
        self.clock = clock
        self.on_change = on_change
        self.tasks: dict[str, SandboxTask] = {}
        self.history: list[SandboxTask] = []
        self.last_completed: str | None = None
        self._last_stop: dict[str, float] = {}
        self._ports_lock = threading.Lock()
        self._healthy_ports: list[int] = []
        self._seen: set[str] = set()
        """Tasks already adopted or known (the service's own ones are added as they start)."""
        self._run = run or self._submit
        self._wake = threading.Event()
        """Set when work run off the loop (a task's start, a health check) is done: the loop
        acts on it at once instead of at its next tick."""
        self._prepare = prepare_task or (lambda task: prepare(self.ctx, task, self.clock))
        self._check = check

    # -- the loop ----------------------------------------------------------------------------
    def run(self, stopping: threading.Event) -> None:
        def wake_on_stop() -> None:  # a stop wakes the loop at once
            stopping.wait()
            self._wake.set()

        threading.Thread(target=wake_on_stop, daemon=True, name="scheduler-stop").start()
        while not stopping.is_set():
            try:
                self.tick()
            except Exception as exc:  # one bad tick must not end the sandbox
                print(f"scheduler: tick failed: {exc!r}", flush=True)
            # Until the next tick, a health check falling due, or work done off the loop
            # (a check's answer is judged when it comes, the next check is made on time).
            self._wake.wait(self.next_wait())
            self._wake.clear()

    def next_wait(self) -> float:
        """Seconds until the loop has something to do: the tick, a new task's provisioning
        over, or the earliest health check due (of a running task with no check under way)."""
        now, wait = self.clock(), self.timing.tick
        for task in self.tasks.values():
            life = task.life
            if task.stopped:
                continue
            if life.phase == "PROVISIONING":
                due: float | None = self._provisioned_at(life)
            elif task.one_off or task.process is None or task.probing is not None:
                continue  # nothing checks it, or a check is under way (its end wakes the loop)
            else:
                due = life.next_check_at(task.policy, self.scale)
            if due is not None:
                wait = min(wait, max(0.0, due - now))
        return wait

    def _provisioned_at(self, life: TaskLife) -> float:
        """When a new task's PROVISIONING is over (Timing.provisioning, scaled)."""
        return life.created_at + self.scale.provisioning(self.timing.provisioning)

    def healthy_ports(self) -> list[int]:
        with self._ports_lock:
            return list(self._healthy_ports)

    def steady(self) -> bool:
        """The service's deployment is COMPLETED and a target is healthy (ECS: steady state)."""
        service = self.ctx.backends.service(self.cluster, self.service_name)
        if service is None:
            return False
        primary = next((d for d in service.deployments if d["status"] == "PRIMARY"), None)
        return (primary is not None and primary.get("rolloutState") == "COMPLETED"
                and bool(self.healthy_ports()))

    def shutdown(self) -> None:
        for task in list(self.tasks.values()):
            if task.preparing is not None:
                task.preparing.cancel()
            if not task.stopped:
                stop(self.ctx, task, Stop("Task stopped by the sandbox", "UserInitiated"),
                     self.clock())
        self.tasks.clear()

    def tick(self) -> None:
        service = self.ctx.backends.service(self.cluster, self.service_name)
        if service is None or service.status != "ACTIVE":
            return
        self._adopt_one_offs()
        for task in [t for t in self.tasks.values() if not t.stopped]:
            self._advance(service, task)
        with moto_world.LOCK:
            ending = self._reconcile(service)
            self._count(service)
        if ending is not None:  # outside the lock: a stopping task's last lines need it
            ending()
            with moto_world.LOCK:
                self._count(service)
        self._publish()

    # -- one task's life ---------------------------------------------------------------------
    def _advance(self, service: Any, task: SandboxTask) -> None:
        life, now = task.life, self.clock()
        if life.phase == "PROVISIONING":
            if now >= self._provisioned_at(life):
                life.provisioned(now)
                with moto_world.LOCK:
                    task.moto_task.last_status = "PENDING"
                task.preparing = self._run(lambda: self._prepare(task))
            return
        if life.phase == "PENDING":
            self._pending(service, task)
            return
        self._observe(service, task)

    def _adopt_one_offs(self) -> None:
        """Tasks started by RunTask in the service's cluster: run each until its process exits
        (what `shipit probe` uses), with the same runtimes as the service's tasks."""
        with moto_world.LOCK:
            found = list(self.ctx.backends.cluster_tasks(self.cluster))
        for moto_task in found:
            arn = str(moto_task.task_arn)
            group = str(getattr(moto_task, "group", "") or "")
            if arn in self._seen or group.startswith("service:"):
                continue
            self._seen.add(arn)
            if getattr(moto_task, "desired_status", "RUNNING") == "STOPPED":
                continue
            with moto_world.LOCK:
                moto_task.last_status = "PROVISIONING"
                moto_task.containers[0].last_status = "PENDING"
                moto_task.containers[0].exitCode = None
            task = SandboxTask(moto_task, "", str(moto_task.task_definition_arn),
                               TaskLife(created_at=self.clock()), one_off=True,
                               command=one_off_overrides(moto_task, self.ctx.container_name))
            self.tasks[arn] = task

    def _pending(self, service: Any, task: SandboxTask) -> None:
        future = task.preparing
        if future is None or not future.done():
            return
        task.preparing = None
        try:
            why = future.result()
        except Exception as exc:  # a bug or an odd host: the task fails to start, visibly
            why = Stop(f"CannotStartContainerError: {type(exc).__name__}: {exc}",
                       "TaskFailedToStart")
        if why is not None:
            self._stop(service, task, why)
            return
        task.life.running(self.clock())
        register(self.ctx, task)

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
        if task.one_off:
            return  # no target group: nothing checks its health
        if task.probing is not None:
            if not task.probing.done():
                return
            future, task.probing = task.probing, None
            try:
                ok = bool(future.result())
            except Exception:
                ok = False
            self._judge(service, task, ok)
            return
        if task.life.check_due(self.clock(), task.policy, self.scale):
            task.life.last_check_at = self.clock()
            task.probing = self._run(lambda: self._check(task))

    def _judge(self, service: Any, task: SandboxTask, ok: bool) -> None:
        change = task.life.checked(ok, self.clock(), task.policy, self.scale)
        if change == "healthy":
            mark_health(self.ctx, task, "healthy", None)
        elif change == "unhealthy":
            mark_health(self.ctx, task, "unhealthy", "Target.FailedHealthChecks")
            with moto_world.LOCK:
                moto_world.add_event(service, f"(service {service.name}) (port"
                                f" {self.ctx.container_port}) is unhealthy in (target-group"
                                f" {self.ctx.target_group_arn}) due to (reason Health checks"
                                " failed).")
            self._stop(service, task, Stop(
                f"Task failed ELB health checks in (target-group {self.ctx.target_group_arn})",
                "ServiceSchedulerInitiated",
            ))

    # -- reconcile ---------------------------------------------------------------------------
    def _reconcile(self, service: Any) -> Callable[[], None] | None:
        """Start missing tasks; a deployment that is over comes back as the work that ends it
        (stopping tasks), which the caller runs outside moto's lock: a stopping task's last
        log lines take that lock, and holding it there stalled each stop for its reader's
        2 s timeout."""
        primary = next((d for d in service.deployments if d["status"] == "PRIMARY"), None)
        if primary is None:
            return None
        desired = int(service.desired_count)
        mine = self._live(primary["id"])
        state = primary.get("rolloutState")
        if state == "IN_PROGRESS":
            if len([t for t in mine if t.healthy]) >= desired:
                return lambda: self._complete(service, primary)
            breaker = (getattr(service, "deployment_configuration", None) or {}).get(
                "deploymentCircuitBreaker"
            ) or {}
            threshold = circuit_breaker_threshold(desired)
            if breaker.get("enable") and int(primary["failedTasks"]) >= threshold:
                self._failed(service, primary)
                rollback = bool(breaker.get("rollback"))
                return lambda: self._end_failed(service, primary, rollback=rollback)
        elif state == "FAILED":
            return None
        self._start_missing(service, primary, desired - len(mine))
        return None

    def _start_missing(self, service: Any, deployment: dict[str, Any], missing: int) -> None:
        since = self.clock() - self._last_stop.get(deployment["id"], -1e9)
        if missing <= 0 or since < self.timing.restart_delay:
            return
        policy = self._policy(service)
        for _ in range(missing):
            moto_task = self.ctx.backends.new_task(
                service, deployment["taskDefinition"], deployment["id"]
            )
            task = SandboxTask(moto_task, deployment["id"], deployment["taskDefinition"],
                               TaskLife(created_at=self.clock()), policy)
            self.tasks[task.arn] = task
            self._seen.add(task.arn)
            moto_world.add_event(service, f"(service {service.name}) has started 1 tasks:"
                            f" (task {task.id}).")

    def _policy(self, service: Any) -> HealthPolicy:
        """The target group's health check and the service's grace period, as they are now."""
        grace = float(getattr(service, "health_check_grace_period_seconds", None) or 0)
        group = (self.ctx.backends.target_group(self.ctx.target_group_arn)
                 if self.ctx.target_group_arn else None)
        if group is None:
            return HealthPolicy(grace=grace)
        matcher = (getattr(group, "matcher", None) or {}).get("HttpCode") or "200"
        return HealthPolicy(
            path=str(getattr(group, "health_check_path", None) or "/"),
            interval=float(getattr(group, "health_check_interval_seconds", None) or 30),
            timeout=float(getattr(group, "health_check_timeout_seconds", None) or 5),
            healthy_threshold=int(getattr(group, "healthy_threshold_count", None) or 5),
            unhealthy_threshold=int(getattr(group, "unhealthy_threshold_count", None) or 2),
            matcher=str(matcher), grace=grace,
        )

    def _complete(self, service: Any, deployment: dict[str, Any]) -> None:
        # ECS drains the old revision's tasks first; COMPLETED comes after.
        self._scale_in(service, deployment, [t for t in self.tasks.values() if not t.stopped
                                             and t.deployment_id != deployment["id"]])
        with moto_world.LOCK:
            if not _still_primary(service, deployment):
                return  # a newer deployment arrived meanwhile: it is the one to follow
            deployment["rolloutState"] = "COMPLETED"
            deployment["rolloutStateReason"] = f"ECS deployment {deployment['id']} completed."
            deployment["updatedAt"] = moto_world.utcnow()
            self.last_completed = deployment["taskDefinition"]
            service.deployments = [deployment]  # replaced deployments leave the list, as in ECS
            moto_world.add_event(service, f"(service {service.name}) (deployment"
                                 f" {deployment['id']}) deployment completed.")
            moto_world.add_event(service, f"(service {service.name}) has reached a steady"
                                 " state.")

    def _failed(self, service: Any, deployment: dict[str, Any]) -> None:
        """The circuit breaker trips (under moto's lock)."""
        deployment["rolloutState"] = "FAILED"
        deployment["rolloutStateReason"] = CIRCUIT_BREAKER_REASON
        deployment["updatedAt"] = moto_world.utcnow()
        moto_world.add_event(service, f"(service {service.name}) (deployment {deployment['id']})"
                        " deployment failed: tasks failed to start.")

    def _end_failed(self, service: Any, deployment: dict[str, Any], *, rollback: bool) -> None:
        """Stop the failed deployment's tasks, then roll back to the last completed revision."""
        self._scale_in(service, deployment, self._live(deployment["id"]))
        if not rollback or self.last_completed is None:
            return
        with moto_world.LOCK:
            if not _still_primary(service, deployment):
                return  # a newer deployment replaced the failed one: no rollback
            back = moto_world.start_deployment(service, self.last_completed)
            service.task_definition = self.last_completed
            for task in self.tasks.values():
                if not task.stopped and task.task_definition == self.last_completed:
                    task.deployment_id = back["id"]  # the previous revision keeps serving
            moto_world.add_event(service, f"(service {service.name}) rolling back to deployment"
                            f" {back['id']}.")

    def _scale_in(self, service: Any, deployment: dict[str, Any],
                  tasks: list[SandboxTask]) -> None:
        """Stop ``tasks`` as ECS does when ``deployment`` scales them in (not failures)."""
        why = Stop(f"Scaling activity initiated by (deployment {deployment['id']})",
                   "ServiceSchedulerInitiated")
        for task in tasks:
            self._stop(service, task, why, count_failure=False)

    def _stop(
        self, service: Any, task: SandboxTask, why: Stop, *, count_failure: bool = True
    ) -> None:
        if task.probing is not None:
            task.probing.cancel()
            task.probing = None
        stop(self.ctx, task, why, self.clock())
        if task.one_off:
            return
        self._last_stop[task.deployment_id] = self.clock()
        with moto_world.LOCK:
            deployment = next(
                (d for d in service.deployments if d["id"] == task.deployment_id), None
            )
            if count_failure and deployment is not None and not task.life.ever_healthy:
                deployment["failedTasks"] = int(deployment["failedTasks"]) + 1
            moto_world.add_event(service, f"(service {service.name}) has stopped 1 running tasks:"
                            f" (task {task.id}).")

    # -- bookkeeping -------------------------------------------------------------------------
    def _live(self, deployment_id: str) -> list[SandboxTask]:
        return [t for t in self.tasks.values()
                if not t.stopped and not t.one_off and t.deployment_id == deployment_id]

    def _count(self, service: Any) -> None:
        running = pending = 0
        for deployment in service.deployments:
            live = self._live(deployment["id"])
            deployment["runningCount"] = len([t for t in live if t.life.phase == "RUNNING"])
            deployment["pendingCount"] = len(live) - deployment["runningCount"]
            deployment["desiredCount"] = (
                service.desired_count if deployment["status"] == "PRIMARY" else len(live)
            )
            running += deployment["runningCount"]
            pending += deployment["pendingCount"]
        service.running_count, service.pending_count = running, pending
        for arn in [a for a, t in self.tasks.items() if t.stopped]:
            self.history = [*self.history, self.tasks.pop(arn)][-HISTORY:]
            # moto keeps the STOPPED Task for describe_tasks

    def _publish(self) -> None:
        ports = [t.host_port for t in self.tasks.values()
                 if t.healthy and t.host_port is not None]
        with self._ports_lock:
            self._healthy_ports = ports
        if self.on_change is not None:
            self.on_change(self)

    def live_tasks(self) -> list[SandboxTask]:
        return [t for t in self.tasks.values() if not t.stopped]

    def running_tasks(self) -> list[SandboxTask]:
        """Tasks whose process runs (what CloudWatch's utilization is measured on)."""
        return [t for t in list(self.tasks.values()) if t.life.phase == "RUNNING"]

    def _submit(self, work: Callable[[], Any]) -> Future[Any]:
        """Run ``work`` on a daemon thread of its own (shipit.sandbox.background); the loop wakes
        when it is done."""
        return in_background("task-work", work, then=self._wake.set)


def _still_primary(service: Any, deployment: dict[str, Any]) -> bool:
    return any(d is deployment and d["status"] == "PRIMARY" for d in service.deployments)
