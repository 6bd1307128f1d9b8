"""Where a sandbox keeps its files, and the state document the daemon writes for others.

    <project>/.shipit/sandbox/daemon.pid    the daemon's pid (written by the daemon)
    <project>/.shipit/sandbox/state.json    endpoint, proxy, stack ids, task pids, status
    <project>/.shipit/sandbox/daemon.log    moto's and the scheduler's own log
    <project>/.shipit/sandbox/tasks/<id>/   each task's working directory and output
    <project>/.shipit/sandbox/registry/     docker-registry behind the ECR data plane (its blobs)
    <project>/.shipit/sandbox/credentials.json  this start's random AWS credentials

The folder is 0700 and every file in it 0600 (the daemon runs with umask 077).
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

# pydantic validates TypedDicts from typing_extensions only, before Python 3.12.
from typing_extensions import TypedDict

from shipit.private_files import write_private
from shipit.project_paths import SANDBOX_DIR, ProjectPaths
from shipit.sandbox.stack_ids import StackIds
from shipit.sandbox.task_life import Phase, TargetHealth, TaskTimings

if TYPE_CHECKING:
    from pydantic import TypeAdapter


@dataclass(frozen=True)
class SandboxPaths:
    root: Path
    """The project folder (where shipit.toml lives)."""

    @property
    def dir(self) -> Path:
        return self.root / SANDBOX_DIR

    @property
    def pid_file(self) -> Path:
        return self.dir / "daemon.pid"

    @property
    def state_file(self) -> Path:
        return self.dir / "state.json"

    @property
    def log_file(self) -> Path:
        return self.dir / "daemon.log"

    @property
    def spec_file(self) -> Path:
        """What `sandbox up` hands the daemon (read and removed at its start)."""
        return self.dir / "spec.json"

    @property
    def registry_auth_file(self) -> Path:
        """The tasks' login to the registry data plane (podman pull --authfile)."""
        return self.dir / "registry-auth.json"

    @property
    def credentials_file(self) -> Path:
        return self.dir / "credentials.json"

    @property
    def tasks_dir(self) -> Path:
        return self.dir / "tasks"

    @property
    def env_file(self) -> Path:
        return ProjectPaths(self.root).env_file("sandbox")


Status = Literal["starting", "ready", "stopping", "failed"]


class TaskSummary(TypedDict):
    """One task as the daemon publishes it (``SandboxTask.describe``), live or recently stopped."""

    id: str
    revision: int
    deployment: str
    phase: Phase
    health: TargetHealth
    """The ALB target's health ("unused" for a one-off task)."""
    runtime: str
    """"container (podman)" or "sample_service from source (why)"; "" before it starts."""
    store: str
    """The containers store a container runs from (driver and why); "" from source."""
    timings: TaskTimings
    stopped_reason: str | None
    port: int | None
    """The loopback port the task listens on (None before PENDING gives it one)."""
    one_off: bool
    """A RunTask task (not the service's)."""


@dataclass
class SandboxState:
    """What the daemon tells the world; rewritten atomically whenever it changes."""

    pid: int
    status: Status
    endpoint_url: str = ""
    moto_port: int = 0
    proxy_port: int = 0
    started_at: float = 0.0
    ready_seconds: float | None = None
    error: str | None = None
    stack: StackIds | None = None
    """The reference stack's ids, once created (None while starting)."""
    task_pids: dict[str, int] = field(default_factory=dict)
    runtime: str = "local-process"
    """"podman" when podman works here (tasks whose image is pullable run as containers)."""
    runtime_reason: str = ""
    """Why tasks run from source when ``runtime`` is local-process (podman missing or broken)."""
    task_runtimes: dict[str, str] = field(default_factory=dict)
    """How each running task runs: "container (podman)" or "sample_service from source (...)"."""
    database: str | None = None
    registry_host: str = ""
    """The ECR data plane emulation (image.registry), when docker-registry is installed."""
    registry_pid: int = 0
    registry_ports: list[int] = field(default_factory=list)
    website_port: int = 0
    website_bucket: str = ""
    """The bucket the S3 website stand-in serves (the frontend's, once `web deploy` fills it)."""
    """The S3 website endpoint stand-in (shipit/sandbox/website.py): the frontend's origin."""
    storage: dict[str, str | None] = field(default_factory=dict)
    """The containers store podman runs the tasks from (driver, root, why: shipit.image.storage)."""
    tasks: list[TaskSummary] = field(default_factory=list)
    """Each task, live or recently stopped: revision, phase, health, runtime, timings."""
    steady: bool = False
    """The service's deployment is COMPLETED and a target is healthy."""
    phases: dict[str, float] = field(default_factory=dict)
    """Seconds each start-up phase took (moto, stack, registry, ...; "steady" since ready)."""

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self.proxy_port}"

    @property
    def website_url(self) -> str:
        return f"http://127.0.0.1:{self.website_port}"


def task_summary(task: TaskSummary) -> str:
    """One task of ``SandboxState.tasks`` in one line: how it runs, and its life's timings.

    "container (podman), store: overlay (...); pull 0.4s, create 0.6s, start 0.1s; running at
    1.2s, healthy at 3.2s", then "; stopped: <reason>" for a stopped task.
    """
    timings = task["timings"]
    steps = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in (
        ("pull", timings.get("pull")), ("create", timings.get("create")),
        ("start", timings.get("start"))) if seconds is not None)
    moments = ", ".join(f"{name} at {seconds:.1f}s" for name, seconds in (
        ("running", timings["running"]), ("healthy", timings["first_healthy"]),
        ("stopped", timings["stopped"])) if seconds is not None)
    text = ", ".join(part for part in (task["runtime"] or "?", task["store"]) if part)
    text += "".join(f"; {part}" for part in (steps, moments) if part)
    if task["stopped_reason"]:
        text += f"; stopped: {task['stopped_reason']}"
    return text


_WRITING = threading.Lock()


def write_state(paths: SandboxPaths, state: SandboxState) -> None:
    """Atomically (a reader never sees half a file), from any thread of the daemon."""
    with _WRITING:
        paths.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_private(paths.state_file, json.dumps(asdict(state), indent=2))  # vars in it


def read_state(paths: SandboxPaths) -> SandboxState | None:
    """The last state the daemon wrote, validated against ``SandboxState`` and its TypedDicts;
    None when there is none, or it is unreadable or of another shape (as if no daemon ran)."""
    from pydantic import ValidationError

    try:
        text = paths.state_file.read_text(encoding="utf-8")
    except (OSError, ValueError):
        return None
    try:
        return _state_adapter().validate_json(text, strict=True)
    except ValidationError:
        return None


@cache
def _state_adapter() -> TypeAdapter[SandboxState]:
    from pydantic import TypeAdapter

    return TypeAdapter(SandboxState)


def pid_alive(pid: int) -> bool:
    """True when ``pid`` runs (a zombie waiting to be reaped counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"
