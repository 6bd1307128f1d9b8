"""A task as a local process: the sample service from source, with the task's environment.

The process gets its own session (so stopping it stops its children), listens on loopback
only, and its output goes line by line to ``on_line`` (the awslogs stand-in) and to a file.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ENTRYPOINT = (sys.executable, "-m", "sample_service")
"""The image's ENTRYPOINT, run from source (a RunTask command override follows it)."""
DEFAULT_COMMAND = (*ENTRYPOINT, "serve")


def runtime_note(runtime: str, reason: str) -> str:
    """What runs a deployed task in this sandbox, in one line for people."""
    if runtime == "podman":
        return ("a task whose image is in the sandbox's registry runs as a container (podman);"
                " any other task runs sample_service from source")
    return f"tasks run sample_service from source ({reason or 'no container runtime'})"


LOCAL_RUNTIME = "sample_service from source"
_KEEP_ENV = ("PATH", "LANG", "LC_ALL", "TZ", "SYSTEMROOT", "TMPDIR")


@dataclass(frozen=True)
class ProcessSpec:
    command: Sequence[str]
    environment: dict[str, str]
    workdir: Path


class LocalProcess:
    """One running task process; ``exit_code`` is None while it runs."""

    measures_memory = True
    """Its RSS is the task's (the memory watchdog reads /proc/<pid>/status)."""
    runtime = LOCAL_RUNTIME

    def __init__(self, spec: ProcessSpec, on_line: Callable[[str], None]) -> None:
        self.spec = spec
        self._on_line = on_line
        self._tail: deque[str] = deque(maxlen=50)
        self._process: subprocess.Popen[bytes] | None = None
        self._reader: threading.Thread | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def main_pid(self) -> int | None:
        """The pid whose CPU and memory are the task's (here: the process itself)."""
        return self.pid

    def start(self) -> None:
        self.spec.workdir.mkdir(parents=True, exist_ok=True)
        base = {k: os.environ[k] for k in _KEEP_ENV if k in os.environ}
        env = {**base, "PYTHONUNBUFFERED": "1", **self.spec.environment}
        source = source_root()
        if source is not None:
            env["PYTHONPATH"] = str(source)
        self._process = subprocess.Popen(
            list(self.spec.command), cwd=self.spec.workdir, env=env,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True, name="task-output")
        self._reader.start()

    def exit_code(self) -> int | None:
        return None if self._process is None else self._process.poll()

    def tail(self, lines: int = 10) -> list[str]:
        return list(self._tail)[-lines:]

    def stop(self, timeout: float) -> int | None:
        """SIGTERM the process group, SIGKILL after ``timeout``; the exit code."""
        process = self._process
        if process is None:
            return None
        if process.poll() is None:
            _signal_group(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _signal_group(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        _signal_group(process.pid, signal.SIGKILL)  # leftovers of the group, if any
        if self._reader is not None:
            self._reader.join(timeout=2)
        return process.returncode

    def wait_output(self, timeout: float) -> None:
        """Let the reader drain what the process wrote before it exited."""
        if self._reader is not None:
            self._reader.join(timeout=timeout)

    def _read(self) -> None:
        assert self._process is not None
        assert self._process.stdout is not None
        log = (self.spec.workdir / "output.log").open("ab")
        with log:
            for raw in self._process.stdout:
                log.write(raw)
                log.flush()
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                self._tail.append(line)
                self._on_line(line)


def resident_bytes(pid: int) -> int | None:
    """The resident set size of ``pid`` (VmRSS; 0 when it has none), None when it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return None
    return next((int(line.split()[1]) * 1024 for line in status.splitlines()
                 if line.startswith("VmRSS:")), 0)


def source_root() -> Path | None:
    """The folder holding the sample_service package (run from source, like the image does)."""
    import importlib.util

    spec = importlib.util.find_spec("sample_service")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        if (Path(location) / "__main__.py").is_file():
            return Path(location).parent
    return None


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)
