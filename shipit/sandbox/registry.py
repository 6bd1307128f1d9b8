"""A real Docker registry (Debian's docker-registry, distribution 2.8) on 127.0.0.1.

``start_registry(workdir)`` writes a config with filesystem storage under ``workdir/data``,
starts ``docker-registry serve CONFIG`` on a free loopback port and returns once ``/v2/``
answers. The sandbox puts it behind its ECR data plane; the tests use it directly.
"""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from shipit.errors import EnvironmentProblem
from shipit.net import free_port
from shipit.types import Clock, Sleep

EXECUTABLE = "docker-registry"


@dataclass
class RegistryProcess:
    process: subprocess.Popen[bytes]
    host: str
    """host:port, as used in image references (127.0.0.1:PORT)."""
    log_file: Path

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self, timeout: float = 10.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def available() -> bool:
    return shutil.which(EXECUTABLE) is not None


def start_registry(
    workdir: Path, *, timeout: float = 30.0, sleep: Sleep = time.sleep,
    clock: Clock = time.monotonic,
) -> RegistryProcess:
    """Start docker-registry on a free loopback port; return once /v2/ answers."""
    executable = shutil.which(EXECUTABLE)
    if executable is None:
        raise EnvironmentProblem("docker-registry is not installed",
                                 hint="apt-get install docker-registry (scripts/bootstrap does)")
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    config = workdir / "registry.yml"
    config.write_text(
        "version: 0.1\n"
        "log:\n  level: warn\n"
        f"storage:\n  filesystem:\n    rootdirectory: {workdir / 'data'}\n"
        "  delete:\n    enabled: true\n"
        f"http:\n  addr: 127.0.0.1:{port}\n",
        encoding="utf-8",
    )
    log_file = workdir / "registry.log"
    with log_file.open("wb") as log:
        process = subprocess.Popen([executable, "serve", str(config)], stdin=subprocess.DEVNULL,
                                   stdout=log, stderr=subprocess.STDOUT)
    registry = RegistryProcess(process, f"127.0.0.1:{port}", log_file)
    deadline = clock() + timeout
    while clock() < deadline:
        if process.poll() is not None:
            raise EnvironmentProblem(f"docker-registry exited early; see {log_file}")
        if _answers(f"{registry.url}/v2/"):
            return registry
        sleep(0.05)
    registry.stop()
    raise EnvironmentProblem(f"docker-registry did not answer on {registry.url}",
                             hint=f"see {log_file}")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):  # noqa: S310 - our own http://127.0.0.1 URL
            return True
    except OSError:
        return False
