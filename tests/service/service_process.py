"""A real `python -m sample_service` process on a loopback port, for tests that need one."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx

from shipit.net import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]



def service_env(database_url: str | None, **extra: str) -> dict[str, str]:
    """A clean environment for the service: PATH and the venv, nothing from the caller's shell."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(REPO_ROOT),
        "HOST": "127.0.0.1",
        "APP_ENV": "test",
        "LOG_LEVEL": "info",
        "DB_STARTUP_TIMEOUT": "10",
    }
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    env.update(extra)
    return env


class ServiceProcess:
    """Start with `start()`; the output goes to files read by `log_lines()` / `output()`."""

    def __init__(self, env: Mapping[str, str], workdir: Path, command: str = "serve") -> None:
        self.port = int(env["PORT"]) if "PORT" in env else free_port()
        self.env = {**env, "PORT": str(self.port)}
        self.workdir = workdir
        self.command = command
        self.stdout_path = workdir / f"service-{self.port}.out"
        self.stderr_path = workdir / f"service-{self.port}.err"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServiceProcess:
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "sample_service", self.command],
                env=self.env,
                cwd=self.workdir,
                stdout=out,
                stderr=err,
            )
        return self

    def wait_healthy(self, within: float = 30.0) -> None:
        """Poll /api/health until 200; fail with the output if the process dies or time runs out."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"service exited {self.process.returncode}:\n{self.output()}")
            try:
                if httpx.get(f"{self.url}/api/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"service not healthy after {within} s:\n{self.output()}")

    def terminate(self) -> int:
        """SIGTERM, then wait for the exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=60)

    def wait(self, timeout: float = 60) -> int:
        assert self.process is not None
        return self.process.wait(timeout=timeout)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def output(self) -> str:
        return self.stdout_path.read_text(errors="replace") + self.stderr_path.read_text(
            errors="replace"
        )

    def log_lines(self) -> list[dict[str, Any]]:
        """Every stdout line, parsed: each must be one JSON object."""
        lines = self.stdout_path.read_text().splitlines()
        return [json.loads(line) for line in lines if line.strip()]
