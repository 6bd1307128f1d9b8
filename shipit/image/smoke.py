"""``--smoke``: start the built image for the local platform, wait for its health URL, stop it.

Runtimes: the Docker Engine API (the ``docker`` package) when a daemon answers and the image
was pushed (the daemon pulls it by digest); else podman, which shares buildah's storage and
runs the freshly built image as is. The container runs as the image says (its user), with a
read-only root file system (tmpfs on /tmp), host networking, and the service's environment
with a SQLite database under /tmp so no real database is needed.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from shipit.errors import EnvironmentProblem
from shipit.image.runner import Runner
from shipit.image.storage import BuildahStorage

SMOKE_DATABASE_URL = "sqlite:////tmp/shipit-smoke.db"
_DROPPED = ("DATABASE_URL", "DB_URL", "DB_PASSWORD")


@dataclass
class SmokeResult:
    platform: str
    runtime: str
    image: str
    url: str
    ok: bool
    status: int | None
    message: str
    seconds: float
    logs: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class ContainerRuntime(Protocol):
    name: str

    def start(self, image: str, env: Mapping[str, str]) -> str:
        """Start detached with host networking; return the container id."""
        ...

    def running(self, container: str) -> bool: ...

    def logs(self, container: str) -> str: ...

    def remove(self, container: str) -> None:
        """Stop (SIGTERM, then kill) and delete the container."""
        ...


def smoke_env(service_vars: Mapping[str, str], port: int) -> dict[str, str]:
    """The service's plain variables, its own PORT, and a throwaway SQLite file under /tmp."""
    env = {k: v for k, v in service_vars.items() if k not in _DROPPED}
    env.update(PORT=str(port), DATABASE_URL=SMOKE_DATABASE_URL)
    return env


PODMAN_HOST_FLAGS = (
    "--events-backend", "file", "--cgroup-manager", "cgroupfs", "--runtime", "runc",
)
"""Global podman flags this kind of host needs (cgroup-hybrid, no systemd; MACHINE-NOTES)."""
PODMAN_RUN_LIMITS = ("--ulimit", "nofile=20000:20000", "--ulimit", "nproc=32768:32768")
"""Explicit rlimits: podman's defaults fail with EPERM here."""


def podman_argv(storage: BuildahStorage) -> list[str]:
    """``podman`` with the storage buildah uses and the host flags above."""
    return ["podman", *storage.flags(), *PODMAN_HOST_FLAGS]



HttpStatus = Callable[[str], int]
"""GET a URL, return the status code; raise OSError/httpx errors when nothing answers."""


def run_smoke(runtime: ContainerRuntime, image: str, platform: str, env: Mapping[str, str],
              url: str, get_status: HttpStatus, clock: Callable[[], float],
              sleep: Callable[[float], None], timeout: float = 60.0) -> SmokeResult:
    """Start ``image``, poll ``url`` until 200 or ``timeout`` or the container exits, clean up."""
    started = clock()
    container = runtime.start(image, env)
    try:
        status, message = _wait(runtime, container, url, get_status, clock, sleep,
                                started + timeout)
        logs = "" if status == 200 else _tail(runtime.logs(container))
    finally:
        runtime.remove(container)
    return SmokeResult(platform, runtime.name, image, url, status == 200, status, message,
                       round(clock() - started, 2), logs)


def _wait(runtime: ContainerRuntime, container: str, url: str, get_status: HttpStatus,
          clock: Callable[[], float], sleep: Callable[[float], None],
          deadline: float) -> tuple[int | None, str]:
    last = "no answer yet"
    while True:
        try:
            status = get_status(url)
            if status == 200:
                return status, f"GET {url} -> 200"
            last = f"HTTP {status}"
        except Exception as exc:  # any failure to connect means "not yet"
            last = type(exc).__name__
        if not runtime.running(container):
            return None, f"the container exited before {url} answered 200 (last: {last})"
        if clock() >= deadline:
            return None, f"{url} did not answer 200 in time (last: {last})"
        sleep(0.2)


def _tail(text: str, lines: int = 20) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


class PodmanRuntime:
    """podman with the flags that work on a cgroup-hybrid host without systemd (MACHINE-NOTES)."""

    name = "podman"

    def __init__(self, runner: Runner, storage: BuildahStorage) -> None:
        self.runner = runner
        self.storage = storage

    def _podman(self) -> list[str]:
        return podman_argv(self.storage)

    def start(self, image: str, env: Mapping[str, str]) -> str:
        # Variables go through a private file, not argv (argv is visible to every local user).
        with tempfile.TemporaryDirectory(prefix="shipit-smoke-") as tmp:
            env_file = Path(tmp) / "env"
            env_file.write_text("".join(f"{k}={v}\n" for k, v in env.items()), encoding="utf-8")
            os.chmod(env_file, 0o600)
            done = self.runner.run([
                *self._podman(), "run", "--detach", "--pull", "never",
                "--name", f"shipit-smoke-{secrets.token_hex(4)}",
                "--network", "host", "--read-only", "--env-file", str(env_file),
                *PODMAN_RUN_LIMITS, image,
            ])
        if not done.ok:
            raise EnvironmentProblem(f"podman could not start {image}:\n{done.tail()}",
                                     hint="see MACHINE-NOTES for the podman flags this host needs")
        return done.stdout.strip().splitlines()[-1]

    def running(self, container: str) -> bool:
        done = self.runner.run([*self._podman(), "inspect", "--format", "{{.State.Running}}",
                                container])
        return done.ok and done.stdout.strip() == "true"

    def logs(self, container: str) -> str:
        return self.runner.run([*self._podman(), "logs", container]).tail(40)

    def remove(self, container: str) -> None:
        self.runner.run([*self._podman(), "stop", "--time", "10", container])
        self.runner.run([*self._podman(), "rm", "--force", container])


class DockerRuntime:
    """The Docker Engine API through the ``docker`` package; the image is pulled by digest."""

    name = "docker"

    def __init__(self, client: Any) -> None:
        self.client = client

    @staticmethod
    def connect() -> DockerRuntime | None:
        """A runtime if a Docker daemon answers (DOCKER_HOST or the default socket), else None."""
        try:
            import docker

            client = docker.from_env(timeout=5)
            client.ping()
        except Exception:  # no daemon, no socket, no permission: all mean "absent"
            return None
        return DockerRuntime(client)

    def start(self, image: str, env: Mapping[str, str]) -> str:
        self.client.images.pull(image)
        container = self.client.containers.run(
            image, detach=True, environment=dict(env), network_mode="host", read_only=True,
            tmpfs={"/tmp": "rw"},  # noqa: S108 - the container's own tmpfs name=f"shipit-smoke-{secrets.token_hex(4)}",
        )
        return str(container.id)

    def running(self, container: str) -> bool:
        found = self.client.containers.get(container)
        found.reload()
        return bool(found.status == "running")

    def logs(self, container: str) -> str:
        raw = self.client.containers.get(container).logs(tail=40)
        return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)

    def remove(self, container: str) -> None:
        found = self.client.containers.get(container)
        found.stop(timeout=10)
        found.remove(force=True)
