"""`sandbox down` waits for the processes that name a container (its conmon, then the
``podman container cleanup`` conmon becomes) to be gone. Real processes stand in for conmon here:
each carries a container id on its command line, as conmon does (``-c <id>``); the real conmon is
checked in tests/sandbox/test_container_runtime.py."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from shipit.sandbox.podman import container_processes, wait_container_processes_gone

CONTAINER = "5f" * 32  # a full container id: 64 hex digits


def conmon_like(seconds: float) -> subprocess.Popen[bytes]:
    """A process that names CONTAINER and exits on its own after ``seconds``, in its own session
    (conmon is not the caller's child either); returned once its command line is readable."""
    process = subprocess.Popen([sys.executable, "-c", f"import time; time.sleep({seconds})",
                                "-c", CONTAINER], start_new_session=True)
    deadline = time.monotonic() + 5
    while process.pid not in container_processes([CONTAINER]) and time.monotonic() < deadline:
        time.sleep(0.01)
    return process


@pytest.fixture
def short_lived() -> Iterator[subprocess.Popen[bytes]]:
    """conmon_like, ending 0.4 s after it started."""
    process = conmon_like(0.4)
    yield process
    process.kill()
    process.wait()


def test_the_processes_that_name_a_container_are_found(
        short_lived: subprocess.Popen[bytes]) -> None:
    assert container_processes([CONTAINER]) == [short_lived.pid]
    assert container_processes(["6a" * 32]) == []
    assert container_processes([]) == []
    assert container_processes([""]) == []  # an id never read matches nothing, not everything


def test_the_wait_returns_once_they_are_gone(short_lived: subprocess.Popen[bytes]) -> None:
    reaper = threading.Thread(target=short_lived.wait)  # as init reaps conmon
    reaper.start()
    assert wait_container_processes_gone([CONTAINER], timeout=30) == []
    assert _state(short_lived.pid) in ("Z", "X", "gone")  # it returned once the process ended
    reaper.join(timeout=10)
    assert short_lived.returncode == 0


def _state(pid: int) -> str:
    """A process's state letter (/proc/PID/stat), or "gone"."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except FileNotFoundError:
        return "gone"
    return stat.rsplit(")", 1)[1].split()[0]


def test_the_wait_names_those_still_there_at_its_end() -> None:
    stuck = conmon_like(60)
    try:
        now = [0.0]

        def sleep(seconds: float) -> None:
            now[0] += seconds

        left = wait_container_processes_gone([CONTAINER], timeout=1.0, sleep=sleep,
                                             clock=lambda: now[0])
        assert left == [stuck.pid]
        assert now[0] >= 1.0  # it waited its whole timeout (on the injected clock)
    finally:
        stuck.kill()
        stuck.wait()
