"""How a sandbox task runs: the image as a podman container, or sample_service from source.

Two runtimes behind one interface (start, exit_code, tail, wait_output, stop, pid):
``LocalProcess`` (runner.py) and ``PodmanContainer`` here. A PodmanContainer IS a LocalProcess
whose command is an attached ``podman run``: the container's stdout/stderr are that process's
output (so they reach CloudWatch through the same reader) and its exit code is the container's.

``Podman.resolve`` decides per task: the container when podman works on this host (probed once
at daemon start, ``probe_podman``) and the task's image, by digest, is really in the sandbox's
registry (the docker-registry behind the ECR data plane) for the task's platform. Otherwise the
task runs from source, and the reason is said (most test images are manifests put straight into
ECR, with no layers anywhere).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shipit.image.manifest import ACCEPT
from shipit.image.smoke import PODMAN_RUN_LIMITS, podman_argv
from shipit.image.storage import BuildahStorage
from shipit.sandbox.preflight import INDEX_TYPES, ecr_image
from shipit.sandbox.task_process import LocalProcess, ProcessSpec
from shipit.types import Clock, Sleep

CONTAINER_NOTE = "container (podman)"
LOCAL_NOTE = "sample_service from source (no container runtime / image not pullable)"
LABEL = "shipit.sandbox"
STOP_SECONDS = 30
"""``podman stop -t``: SIGTERM, then SIGKILL after ECS's default stopTimeout."""


@dataclass(frozen=True)
class Podman:
    """podman on this host, pulling from the sandbox's registry; containers labelled ``label``."""

    storage: BuildahStorage
    registry: str
    """The ECR data plane emulation (host:port): pulls go through it, as through ECR."""
    upstream: str
    """The docker-registry behind it (host:port): where the image data really is."""
    label: str
    pulled: set[str] = field(default_factory=set, compare=False)
    """References whose image this sandbox's pull brought, removed again by ``remove_all``
    (sandbox down); an image the store held before (the build's) stays."""
    authfile: Path | None = None
    """The ECR login for ``registry`` (0600 in the sandbox's store): the data plane requires it,
    as ECR requires the token the execution role gets."""

    def argv(self) -> list[str]:
        return podman_argv(self.storage)

    def resolve(self, image: str, platform: str) -> tuple[str | None, str]:
        """(the loopback reference to pull, "") or (None, why the image is not pullable)."""
        parsed = ecr_image(image)
        if parsed is None or not parsed.digest:
            return None, "image not pinned by digest"
        repository, digest = parsed.repository, parsed.digest
        found = _manifest(self.upstream, repository, digest)
        if found is None:
            return None, "image not pullable: only its manifest is in ECR, no data in the registry"
        media_type, manifest = found
        if media_type in INDEX_TYPES or "manifests" in manifest:
            entry = _platform_entry(manifest, platform)
            if entry is None or _manifest(self.upstream, repository, entry["digest"]) is None:
                return None, f"image not pullable: no {platform} image in the registry"
        return f"{self.registry}/{repository}@{digest}", ""

    def pull(self, ref: str, platform: str) -> str | None:
        """``podman pull`` (plain HTTP: the registry is on loopback); None, or the error.

        An image the store already held (the build's own: a reproducible build pulled back
        has the same id) is not the sandbox's to remove at ``sandbox down``; only one the pull
        brought is."""
        image_id = self._image_id(ref, platform)
        held = image_id is not None and self._succeeds("image", "exists", image_id)
        tls = ["--tls-verify=false"] if _loopback(ref) else []
        auth = ["--authfile", str(self.authfile)] if self.authfile is not None else []
        try:
            done = subprocess.run([*self.argv(), "pull", "--quiet", *tls, *auth, "--platform",
                                   platform, ref],
                                  capture_output=True, text=True, timeout=600, check=False)
        except subprocess.TimeoutExpired:
            return f"podman pull {ref} timed out"
        if done.returncode != 0:
            return done.stderr.strip() or done.stdout.strip()
        if not held:
            self.pulled.add(ref)
        return None

    def _image_id(self, ref: str, platform: str) -> str | None:
        """The image id ``ref`` pulls for ``platform`` (its config digest), read from the
        registry behind the data plane; None when it cannot be read."""
        repository, _, digest = ref.split("/", 1)[-1].partition("@")
        found = _manifest(self.upstream, repository, digest)
        if found is not None and "manifests" in found[1]:
            entry = _platform_entry(found[1], platform)
            found = _manifest(self.upstream, repository, entry["digest"]) if entry else None
        config = (found[1].get("config") or {}) if found is not None else {}
        value = config.get("digest") if isinstance(config, dict) else None
        return value if isinstance(value, str) and value.startswith("sha256:") else None

    def remove_all(self) -> list[str]:
        """Remove every container this sandbox started (by its label), then the images it
        pulled (layers shared with the build stay); the containers' names."""
        listed = self._run("ps", "--all", "--no-trunc", "--format", "{{.ID}} {{.Names}}",
                           "--filter", f"label={LABEL}={self.label}")
        rows = [line.split() for line in listed.splitlines() if len(line.split()) == 2]
        names = [name for _, name in rows]
        if names:
            self._run("rm", "--force", "--time", "0", *names)
            wait_container_processes_gone([container_id for container_id, _ in rows])
        if self.pulled:
            self._run("rmi", "--ignore", *sorted(self.pulled))
            self.pulled.clear()
        return names

    def _run(self, *args: str) -> str:
        """podman's output ("" when it did not answer in time)."""
        done = self._call(args)
        return done.stdout if done is not None else ""

    def _succeeds(self, *args: str) -> bool:
        """Whether podman exited 0 (for commands that answer by their exit status)."""
        done = self._call(args)
        return done is not None and done.returncode == 0

    def _call(self, args: tuple[str, ...]) -> subprocess.CompletedProcess[str] | None:
        try:
            return subprocess.run([*self.argv(), *args], capture_output=True, text=True,
                                  timeout=STOP_SECONDS + 30, check=False)
        except subprocess.TimeoutExpired:
            return None


def podman_problem(storage: BuildahStorage) -> str | None:
    """Why podman cannot run the tasks here (None: it works, with runc and the host flags).

    ``podman info``, ~0.4 s. The reason is shown to the user beside each task that then runs
    from source, so a broken podman is never reported as an absent one.
    """
    for program in ("podman", "runc"):
        if shutil.which(program) is None:
            return f"no container runtime: {program} is not installed"
    try:
        done = subprocess.run([*podman_argv(storage), "info", "--format",
                               "{{.Host.OCIRuntime.Name}}"], capture_output=True, text=True,
                              timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"podman did not answer: {exc}"
    if done.returncode == 0 and done.stdout.strip() == "runc":
        return None
    lines = (done.stderr or done.stdout).strip().splitlines()
    return f"podman does not work here: {lines[-1] if lines else f'exit {done.returncode}'}"


def probe_podman(storage: BuildahStorage) -> bool:
    """Does podman work here, with runc and the host flags?"""
    return podman_problem(storage) is None


class PodmanContainer(LocalProcess):
    """The task's image as a podman container: created (timed), then started attached.

    ``create`` is where the store's driver shows (vfs copies every layer here); the process this
    LocalProcess runs is ``podman start --attach``, so the container's output and exit code are
    its own, and ``wait_running`` asks podman when the container's process has really started.
    """

    measures_memory = False  # the podman client's RSS is not the container's
    runtime = CONTAINER_NOTE

    def __init__(self, spec: ProcessSpec, on_line: Callable[[str], None], podman: Podman,
                 ref: str, platform: str, name: str, volumes: Sequence[Path] = (),
                 command: Sequence[str] = ()) -> None:
        self.podman = podman
        self.name = name
        names = sorted({*spec.environment, "PYTHONUNBUFFERED"})
        self.create_argv = [
            *podman.argv(), "create", "--rm", "--pull", "never", "--name", name,
            "--label", f"{LABEL}={podman.label}", "--platform", platform,
            "--network", "host", "--read-only", "--tmpfs", "/tmp",  # noqa: S108 - the container's own tmpfs
            *PODMAN_RUN_LIMITS,
            *[arg for volume in volumes for arg in ("--volume", f"{volume}:{volume}")],
            # Values come from podman's own environment: never on the command line.
            *[arg for variable in names for arg in ("--env", variable)],
            ref, *command,  # RunTask's command override, after the image's ENTRYPOINT
        ]
        command = [*podman.argv(), "start", "--attach", name]
        super().__init__(ProcessSpec(command, spec.environment, spec.workdir), on_line)
        self._container_pid: int | None = None
        self.container_id = ""
        """Its full id, as ``podman create`` printed it ("" before)."""

    def create(self, timeout: float = 600.0) -> str | None:
        """``podman create``: None, or why the container could not be created."""
        environment = {**os.environ, "PYTHONUNBUFFERED": "1", **self.spec.environment}
        try:
            done = subprocess.run(self.create_argv, env=environment, capture_output=True,
                                  text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return f"podman create timed out after {timeout:.0f}s"
        if done.returncode == 0:
            self.container_id = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
            return None
        lines = (done.stderr or done.stdout).strip().splitlines()
        return lines[-1] if lines else f"podman create exited {done.returncode}"

    def wait_running(self, timeout: float = 120.0) -> str | None:
        """Block until podman says the container runs: None, or why it never did."""
        try:
            done = subprocess.run(
                [*self.podman.argv(), "wait", "--condition", "running", "--interval", "50ms",
                 self.name], capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return f"the container did not start within {timeout:.0f}s"
        if done.returncode == 0:
            return None
        if self.exit_code() is not None:
            return f"the container exited with code {self.exit_code()} as it started"
        lines = (done.stderr or done.stdout).strip().splitlines()
        return lines[-1] if lines else f"podman wait exited {done.returncode}"

    def main_pid(self) -> int | None:
        """The container's own process on this host (not the attached podman client's)."""
        if self._container_pid is None and self.exit_code() is None:
            listed = self.podman._run("inspect", "--format", "{{.State.Pid}}", self.name).strip()
            self._container_pid = int(listed) if listed.isdigit() and listed != "0" else None
        return self._container_pid

    def stop(self, timeout: float) -> int | None:
        if self.exit_code() is None:
            seconds = "0" if timeout <= 0 else str(STOP_SECONDS)
            self.podman._run("stop", "--time", seconds, self.name)
        code = super().stop(10.0)
        self.podman._run("rm", "--force", "--ignore", self.name)
        if self.container_id:
            wait_container_processes_gone([self.container_id])
        return code


CLEANUP_SECONDS = 10.0
"""How long a stop waits for the container's conmon and its exit command to finish."""


def container_processes(container_ids: Sequence[str]) -> list[int]:
    """The processes on this host whose command line names one of ``container_ids`` (full ids):
    the container's conmon, and the ``podman container cleanup`` that conmon becomes (its exit
    command runs in conmon's place, with conmon's working directory) once the container exits."""
    wanted = [container_id.encode() for container_id in container_ids if container_id]
    found = []
    for entry in Path("/proc").iterdir() if wanted else ():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if any(container_id in cmdline for container_id in wanted):
            found.append(int(entry.name))
    return found


def wait_container_processes_gone(container_ids: Sequence[str], timeout: float = CLEANUP_SECONDS,
                                  *, sleep: Sleep = time.sleep,
                                  clock: Clock = time.monotonic) -> list[int]:
    """Wait until no process names the containers (``container_processes``); those still there
    after ``timeout``. ``podman rm`` returns before conmon's cleanup has exited: without this
    wait, `sandbox down` would return with podman processes still at work in the project."""
    deadline = clock() + timeout
    while True:
        left = container_processes(container_ids)
        if not left or clock() >= deadline:
            return left
        sleep(0.05)


def _manifest(host: str, repository: str, reference: str) -> tuple[str, dict[str, Any]] | None:
    request = urllib.request.Request(f"http://{host}/v2/{repository}/manifests/{reference}",
                                     headers={"Accept": ACCEPT})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            body = response.read()
            media_type = str(response.headers.get("Content-Type", ""))
    except (urllib.error.URLError, OSError, ValueError):
        return None
    try:
        manifest = json.loads(body)
    except ValueError:
        return None
    return (media_type, manifest) if isinstance(manifest, dict) else None


def _platform_entry(index: dict[str, Any], platform: str) -> dict[str, Any] | None:
    """The entry of an image index for ``platform`` ("linux/arm64"), or None."""
    wanted_os, wanted_arch = platform.split("/", 1)
    return next((m for m in index.get("manifests", [])
                 if (m.get("platform") or {}).get("os") == wanted_os
                 and (m.get("platform") or {}).get("architecture") == wanted_arch), None)


def _loopback(ref: str) -> bool:
    return ref.startswith(("127.0.0.1:", "localhost:", "[::1]:"))
