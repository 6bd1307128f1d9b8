"""`shipit sandbox up | down | status` as functions: start, stop and inspect the daemon.

Waits take an injected ``sleep`` and ``clock`` and a deadline, like every wait in shipit.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from shipit.errors import EnvironmentProblem
from shipit.private_files import write_private
from shipit.sandbox import envfile
from shipit.sandbox.daemon import DaemonSpec
from shipit.sandbox.names import StackNames
from shipit.sandbox.state import SandboxPaths, SandboxState, pid_alive, read_state
from shipit.types import Clock, Sleep

if TYPE_CHECKING:
    from shipit.config import Config

APP_ENV = "sandbox"


@dataclass(frozen=True)
class UpResult:
    state: SandboxState
    already_running: bool
    seconds: float

    @property
    def phases(self) -> dict[str, float]:
        """Where the seconds went: the daemon's own start (interpreter and imports), each of
        its phases, and the wait from ready until the service is steady."""
        if self.already_running:
            return {}
        daemon = dict(self.state.phases)
        ready = self.state.ready_seconds or 0.0
        steady = daemon.pop("steady", None)
        inside = {"daemon start": max(0.0, round(
            self.seconds - ready - (steady or 0.0), 3)), **daemon}
        return {**inside, **({"until steady": steady} if steady is not None else {})}


@dataclass(frozen=True)
class DownResult:
    was_running: bool
    stopped_pids: list[int]
    ports_free: bool
    seconds: float


def up(
    paths: SandboxPaths, spec: DaemonSpec, *, timeout: float = 90.0, wait: bool = True,
    sleep: Sleep = time.sleep, clock: Clock = time.monotonic,
) -> UpResult:
    """Start the daemon (unless one runs) and wait until its stack is ready and, unless
    ``wait`` is False, its service steady (deployment COMPLETED, a target healthy)."""
    began = clock()
    current = running_state(paths)
    if current is not None and current.status == "ready":
        steady = wait_steady(paths, current, began + timeout, sleep, clock) if wait else current
        return UpResult(steady, True, clock() - began)
    if current is not None:
        down(paths, sleep=sleep, clock=clock)
    _clear(paths)
    shutil.rmtree(paths.tasks_dir, ignore_errors=True)
    paths.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    paths.dir.chmod(0o700)  # the store holds every plain var and this start's credentials
    spec = _with_app_env(spec)
    write_private(paths.spec_file, json.dumps(asdict(spec)))  # not argv: `ps` shows argv
    rotate_log(paths.log_file)
    with os.fdopen(os.open(paths.log_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600),
                   "ab") as log:
        os.fchmod(log.fileno(), 0o600)
        process = subprocess.Popen(
            [sys.executable, "-m", "shipit.sandbox.daemon", "--root", str(paths.root)],
            cwd=paths.root, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    deadline = began + timeout
    while clock() < deadline:
        state = read_state(paths)
        if state is not None and state.pid == process.pid and state.status == "ready":
            names = StackNames(spec.project, spec.container, spec.repository, spec.health_path)
            envfile.write(paths, envfile.render(names, state, APP_ENV))
            ready = state
            if wait:
                try:
                    ready = wait_steady(paths, state, deadline, sleep, clock)
                except EnvironmentProblem:
                    down(paths, sleep=sleep, clock=clock)
                    raise
            return UpResult(ready, False, clock() - began)
        if process.poll() is not None or (state is not None and state.status == "failed"):
            break
        sleep(0.05)
    last = read_state(paths)
    detail = last.error if last is not None else None
    down(paths, sleep=sleep, clock=clock)
    raise EnvironmentProblem(
        f"the sandbox did not start{': ' + detail if detail else ''}",
        hint=f"see {paths.log_file}; is moto[server] installed in this Python ({sys.executable})?",
    )


def rotate_log(log: Path) -> None:
    """Keep the last run's log as ``daemon.log.1`` and start a new one: two runs at most."""
    if log.exists():
        os.replace(log, log.with_name(log.name + ".1"))


def wait_steady(paths: SandboxPaths, state: SandboxState, deadline: float, sleep: Sleep,
                clock: Clock) -> SandboxState:
    """Wait until the reference service is steady, so the next command can deploy at once."""
    while not state.steady:
        if clock() >= deadline:
            tasks = "; ".join(f"task {t['id'][:8]} {t['phase']} {t['health']}"
                              + (f" ({t['stopped_reason']})" if t.get("stopped_reason") else "")
                              for t in state.tasks[-3:]) or "no task started"
            raise EnvironmentProblem(
                f"the sandbox started but its service did not become steady in time ({tasks})",
                hint=f"see {paths.log_file} and {paths.tasks_dir}/*/output.log; `shipit sandbox"
                " up --no-wait` returns without waiting")
        sleep(0.05)
        fresh = read_state(paths)
        if fresh is None or fresh.pid != state.pid or not pid_alive(fresh.pid):
            raise EnvironmentProblem("the sandbox stopped while its service was starting",
                                     hint=f"see {paths.log_file}")
        state = fresh
    return state


def down(
    paths: SandboxPaths, *, timeout: float = 20.0, keep_logs: bool = False,
    sleep: Sleep = time.sleep, clock: Clock = time.monotonic,
) -> DownResult:
    """Stop the daemon and every task it started; remove the env file, the state, the
    credentials and (unless ``keep_logs``) the tasks' folders with their output logs."""
    began = clock()
    state = read_state(paths)
    pids = _pids(paths, state)
    was_running = any(pid_alive(pid) for pid in pids)
    if pids:
        _signal(pids[0], signal.SIGTERM)
        deadline = began + timeout
        while pid_alive(pids[0]) and clock() < deadline:
            sleep(0.05)
        if pid_alive(pids[0]):
            _signal(pids[0], signal.SIGKILL)
        if paths.state_file.exists():  # no clean shutdown (killed, or hung): clean up after it
            for pid in pids[1:]:
                if pid_alive(pid):
                    _signal(pid, signal.SIGKILL, group=True)
            if state is not None and state.database:
                _drop_leftover_database(state.database)
    ports = [p for p in (state.moto_port, state.proxy_port, *state.registry_ports) if p] \
        if state else []
    _clear(paths)
    paths.env_file.unlink(missing_ok=True)
    if not keep_logs:  # a task's output can hold what its process printed: a probe URL, a var
        shutil.rmtree(paths.tasks_dir, ignore_errors=True)
    return DownResult(was_running, pids, all(not port_in_use(p) for p in ports), clock() - began)


def running_state(paths: SandboxPaths) -> SandboxState | None:
    """The state of a live daemon, or None (stale files of a dead one do not count)."""
    state = read_state(paths)
    if state is None or not pid_alive(state.pid):
        return None
    return state


def spec_for(config: Config, timing: dict[str, float] | None = None) -> DaemonSpec:
    """The daemon's spec for the project of ``config`` (its base settings): the one place
    `shipit sandbox up` and the demo build it."""
    from shipit.config.origins import task_environment

    base = config.settings(None)
    project = config.project or "app"
    return DaemonSpec(project=project, container=base.ecs.container or "app",
                      repository=base.image.repository or project,
                      health_path=base.http.health_path, vars=task_environment(base),
                      timing=dict(timing or {}))


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _with_app_env(spec: DaemonSpec) -> DaemonSpec:
    merged = {**spec.vars, "APP_ENV": APP_ENV}
    return DaemonSpec(**{**asdict(spec), "vars": merged})


def _pids(paths: SandboxPaths, state: SandboxState | None) -> list[int]:
    pids: list[int] = []
    if state is not None:
        pids.append(state.pid)
    else:
        try:
            pids.append(int(paths.pid_file.read_text(encoding="utf-8").strip()))
        except (OSError, ValueError):
            return []
    if state is not None:
        pids.extend(state.task_pids.values())
        if state.registry_pid:
            pids.append(state.registry_pid)
    return pids


def _signal(pid: int, sig: signal.Signals, *, group: bool = False) -> None:
    """Signal ``pid``, or its whole process group when it leads one (tasks start their own).

    A process that does not lead a group (the docker-registry) is signalled alone: killing the
    group it belongs to could reach processes shipit did not start.
    """
    try:
        if group and os.getpgid(pid) == pid:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _drop_leftover_database(url: str) -> None:
    from shipit.sandbox.database import LocalDatabase, drop_database

    if url.startswith("postgresql://"):
        drop_database(LocalDatabase(url, "postgres", url.rsplit("/", 1)[-1]))


def _clear(paths: SandboxPaths) -> None:
    for file in (paths.state_file, paths.pid_file, paths.credentials_file, paths.spec_file,
                 paths.registry_auth_file):
        file.unlink(missing_ok=True)


def sandbox_paths(root: Path) -> SandboxPaths:
    return SandboxPaths(root.resolve())
