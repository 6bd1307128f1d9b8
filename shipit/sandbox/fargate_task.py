"""One service task in the sandbox: preflight, start, health checks, stop; moto's Task mirrors it.

The Fargate agent and the ALB in one small class: a ``SandboxTask`` owns its process (local, or
podman run attached: runtime.py) and the moto Task that describes it, and reports health.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from shipit.net import free_port
from shipit.sandbox import awslogs, moto_world
from shipit.sandbox.database import LocalDatabase, rewrite_urls
from shipit.sandbox.podman import CONTAINER_NOTE, Podman, PodmanContainer
from shipit.sandbox.preflight import Stop, check_image, pull_error, resolve_secrets, task_platform
from shipit.sandbox.state import TaskSummary
from shipit.sandbox.task_life import HealthPolicy, TaskLife
from shipit.sandbox.task_process import (
    ENTRYPOINT,
    LOCAL_RUNTIME,
    LocalProcess,
    ProcessSpec,
    resident_bytes,
)
from shipit.types import Clock


class Clients(Protocol):
    """AWS API clients by service name, bound to the sandbox's moto (EndpointClients)."""

    def __getitem__(self, name: str) -> Any: ...


@dataclass
class TaskContext:
    """What every task of the service shares."""

    backends: moto_world.Backends
    clients: Clients
    command: tuple[str, ...]
    tasks_dir: Path
    target_group_arn: str | None
    container_name: str
    container_port: int
    rds_hosts: set[str]
    database: LocalDatabase | None
    stop_timeout: float = 3.0
    podman: Podman | None = None
    """Set when podman works here: tasks whose image is in the registry run as containers."""
    no_container_reason: str = "no container runtime"
    """Why ``podman`` is None, said beside each task that runs from source."""
    storage_note: str = ""
    """The containers store podman uses, and why (shipit.image.storage), for the task notes."""


@dataclass
class SandboxTask:
    moto_task: Any
    deployment_id: str
    task_definition: str
    life: TaskLife
    policy: HealthPolicy = field(default_factory=HealthPolicy)
    """The target group's health check and the service's grace, read when the task starts."""
    process: LocalProcess | None = None
    host_port: int | None = None
    memory_mib: int | None = None
    cpu_units: int = 256
    """The task's CPU (1024 units = 1 vCPU): what CPUUtilization is a percentage of."""
    runtime: str = ""
    """How it runs: "container (podman)" or "sample_service from source (why)"."""
    store: str = ""
    """For a container: the containers store and driver it runs from, and why."""
    one_off: bool = False
    """Started by RunTask (no service, no target group): it runs until its process exits."""
    command: tuple[str, ...] = ()
    """RunTask's containerOverrides command (after the image's entrypoint), if any."""
    preparing: Future[Stop | None] | None = None
    """PENDING's work (pull, create, start), done off the scheduler's thread."""
    probing: Future[bool] | None = None
    stop_reason: str | None = None

    @property
    def arn(self) -> str:
        return str(self.moto_task.task_arn)

    @property
    def id(self) -> str:
        return self.arn.rsplit("/", 1)[-1]

    @property
    def stopped(self) -> bool:
        return self.life.phase == "STOPPED"

    @property
    def healthy(self) -> bool:
        return self.life.target == "healthy" and not self.stopped

    @property
    def revision(self) -> int:
        return int(self.task_definition.rsplit(":", 1)[-1])

    @property
    def target_id(self) -> str:
        for attachment in self.moto_task.attachments:
            for detail in attachment["details"]:
                if detail["name"] == "privateIPv4Address":
                    return str(detail["value"])
        return self.id

    def describe(self) -> TaskSummary:
        """For state.json: what ``sandbox status`` and the demo say about this task."""
        return {"id": self.id, "revision": self.revision, "deployment": self.deployment_id,
                "phase": self.life.phase, "health": self.life.target,
                "runtime": self.runtime, "store": self.store, "timings": self.life.timings(),
                "stopped_reason": self.stop_reason, "port": self.host_port,
                "one_off": self.one_off}


def prepare(ctx: TaskContext, task: SandboxTask, clock: Clock) -> Stop | None:
    """PENDING: check (and pull) the image, fetch secrets, create and start the container.

    Returns when the task's process has really started (podman says the container runs), or
    with the Stop ECS would report. Each step's seconds go to ``task.life.step_seconds``.
    """
    definition = ctx.backends.task_definition(task.task_definition)
    container = _container(definition.container_definitions, ctx.container_name)
    region = ctx.backends.region
    task.memory_mib = _memory_limit(container, definition)
    task.cpu_units = _cpu_units(definition)
    image = str(container.get("image", ""))
    platform = task_platform({"runtimePlatform": definition.runtime_platform})
    _pull_moment(task, "pull_started_at")
    stop = check_image(ctx.clients["ecr"], image, platform, region)
    if stop is not None:
        return stop
    secrets = resolve_secrets(
        ctx.clients["secretsmanager"], ctx.clients["ssm"], container.get("secrets") or []
    )
    if isinstance(secrets, Stop):
        return secrets
    environment = {e["name"]: e["value"] for e in container.get("environment") or []}
    environment.update(_override_environment(task, ctx.container_name))
    environment = rewrite_urls({**environment, **secrets}, ctx.rds_hosts, ctx.database)
    task.host_port = free_port()
    mapped = {str(ctx.container_port), ""}
    # The app listens where its PORT says; only the container port is reachable by the ALB.
    listen = task.host_port if environment.get("PORT", "") in mapped else free_port()
    environment.update({"PORT": str(listen), "HOST": "127.0.0.1"})
    write = _log_writer(container, task.id)
    if task.one_off:
        write(f"[sandbox] one-off task (RunTask) of revision {task.revision}, command:"
              f" {' '.join(task.command) or '(the image default)'}")
    steps = task.life.step_seconds
    ref, why = (None, ctx.no_container_reason) if ctx.podman is None else ctx.podman.resolve(
        image, platform)
    if ref is not None and ctx.podman is not None:
        began = clock()
        error = ctx.podman.pull(ref, platform)
        steps["pull"] = clock() - began
        _pull_moment(task, "pull_stopped_at")
        if error is not None:
            return pull_error(f"failed to pull {ref}: {error}")
        write(f"[sandbox] running the image as a {CONTAINER_NOTE}: {ref} for {platform}")
        spec = ProcessSpec((), environment, ctx.tasks_dir / task.id)
        volumes = [Path(ctx.database.url.removeprefix("sqlite:///")).parent] if (
            ctx.database is not None and ctx.database.kind == "sqlite") else []
        container_process = PodmanContainer(spec, write, ctx.podman, ref, platform,
                                            f"shipit-task-{task.id}", volumes, task.command)
        task.process, task.runtime, task.store = container_process, CONTAINER_NOTE, ctx.storage_note
        began = clock()
        problem = container_process.create()
        steps["create"] = clock() - began
        if problem is not None:
            return Stop(f"CannotCreateContainerError: {problem}", "TaskFailedToStart")
        began = clock()
        container_process.start()
        problem = container_process.wait_running()
        steps["start"] = clock() - began
        if problem is not None:
            return None if container_process.exit_code() is not None else Stop(
                f"CannotStartContainerError: {problem}", "TaskFailedToStart")
        return None
    _pull_moment(task, "pull_stopped_at")  # nothing to pull: the manifest was checked
    write(f"[sandbox] running sample_service from source as the task ({why}); image"
          f" {image} was checked in ECR")
    command = (*ENTRYPOINT, *task.command) if task.command else ctx.command
    task.process = LocalProcess(ProcessSpec(command, environment, ctx.tasks_dir / task.id), write)
    task.runtime = f"{LOCAL_RUNTIME} ({why})"
    began = clock()
    task.process.start()
    steps["start"] = clock() - began
    return None


def one_off_overrides(moto_task: Any, container: str) -> tuple[str, ...]:
    """RunTask's command override for ``container`` (() when none)."""
    for entry in (getattr(moto_task, "overrides", None) or {}).get("containerOverrides") or []:
        if entry.get("name") in (container, None) and entry.get("command"):
            return tuple(str(part) for part in entry["command"])
    return ()


def _override_environment(task: SandboxTask, container: str) -> dict[str, str]:
    overrides = (getattr(task.moto_task, "overrides", None) or {}).get("containerOverrides")
    found: dict[str, str] = {}
    for entry in overrides or []:
        if entry.get("name") in (container, None):
            found.update({e["name"]: e["value"] for e in entry.get("environment") or []})
    return found


def _pull_moment(task: SandboxTask, name: str) -> None:
    """pullStartedAt / pullStoppedAt on moto's Task, as ECS reports them (DescribeTasks)."""
    with moto_world.LOCK:
        setattr(task.moto_task, name, moto_world.utcnow())


def register(ctx: TaskContext, task: SandboxTask) -> None:
    """RUNNING: moto's Task says so, and a service task's IP joins the target group."""
    with moto_world.LOCK:
        moto_task = task.moto_task
        moto_task.last_status = "RUNNING"
        moto_task.started_at = moto_world.utcnow()
        moto_task.containers[0].last_status = "RUNNING"
        if ctx.target_group_arn and not task.one_off:
            group = ctx.backends.target_group(ctx.target_group_arn)
            if group is not None:
                group.register([{"Id": task.target_id, "Port": ctx.container_port}])
                moto_world.set_target_health(
                    ctx.target_group_arn, task.target_id, "initial",
                    "Elb.RegistrationInProgress", "Target registration is in progress",
                )


def probe(task: SandboxTask) -> bool:
    """One health check as the target group makes it: its path, its timeout, its matcher."""
    if task.host_port is None:
        return False
    url = f"http://127.0.0.1:{task.host_port}{task.policy.path}"
    try:
        with urllib.request.urlopen(url, timeout=task.policy.timeout) as response:
            return task.policy.accepts(int(response.status))
    except urllib.error.HTTPError as error:
        return task.policy.accepts(int(error.code))
    except (urllib.error.URLError, OSError, ValueError):
        return False


def mark_health(ctx: TaskContext, task: SandboxTask, state: str, reason: str | None) -> None:
    if ctx.target_group_arn:
        description = {
            "healthy": None,
            "unhealthy": "Health checks failed",
        }.get(state)
        moto_world.set_target_health(ctx.target_group_arn, task.target_id, state, reason,
                                     description)


def stop(ctx: TaskContext, task: SandboxTask, why: Stop, now: float) -> None:
    """Stop the process (if any) and record the stop on the moto Task, as ECS reports it."""
    task.life.stopped(now)
    exit_code = why.exit_code
    if task.process is not None:
        # The OOM killer does not wait for a graceful shutdown.
        code = task.process.stop(0.0 if why.exit_code == 137 else ctx.stop_timeout)
        if exit_code is None and why.code == "EssentialContainerExited":
            exit_code = code
    task.stop_reason = why.reason
    with moto_world.LOCK:
        moto_task = task.moto_task
        moto_task.last_status = "STOPPED"
        moto_task.desired_status = "STOPPED"
        moto_task.stopped_reason = why.reason
        moto_task.stop_code = why.code
        moto_task.stopped_at = moto_world.utcnow()
        container = moto_task.containers[0]
        container.last_status = "STOPPED"
        container.exitCode = exit_code
        if why.container_reason:
            container.reason = why.container_reason
        if ctx.target_group_arn:
            group = ctx.backends.target_group(ctx.target_group_arn)
            if group is not None and task.target_id in group.targets:
                group.deregister([{"Id": task.target_id}])
            moto_world.set_target_health(ctx.target_group_arn, task.target_id, None)


def over_memory(task: SandboxTask) -> bool:
    """Fargate's hard limit: the container's (else the task's) memory, against the RSS."""
    if task.process is None or task.process.pid is None or not task.memory_mib:
        return False
    if not task.process.measures_memory:
        return False
    rss = resident_bytes(task.process.pid)
    return rss is not None and rss > task.memory_mib * 1024 * 1024


def _cpu_units(definition: Any) -> int:
    try:
        return max(1, int(getattr(definition, "cpu", None) or 256))
    except (TypeError, ValueError):
        return 256


def _memory_limit(container: dict[str, Any], definition: Any) -> int | None:
    value = container.get("memory") or getattr(definition, "memory", None)
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        return None



def _container(containers: list[dict[str, Any]], name: str) -> dict[str, Any]:
    for container in containers:
        if container.get("name") == name:
            return container
    return containers[0]


def _log_writer(container: dict[str, Any], task_id: str) -> Any:
    where = awslogs.stream_for(container, task_id)
    if where is None:
        return lambda line: None
    region, group, stream = where
    return awslogs.writer(region, group, stream)
