"""The sandbox daemon: ``python -m shipit.sandbox.daemon --root DIR`` (its spec, the task's
plain vars among it, is read from ``.shipit/sandbox/spec.json``, 0600, never from the command
line that ``ps`` shows every user).

One process holds moto (in-process so the scheduler can move ECS state; behind the request
guard, so it answers only the sandbox's own signed clients), the reference stack, the scheduler
stand-in and the ALB proxy. SIGTERM stops every task, frees both ports, drops the sandbox
database and removes the state files.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import gc
import hashlib
import json
import logging
import os
import re
import secrets
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO, TypeVar

from shipit.aws.local_credentials import LocalCredentials
from shipit.defaults import DEFAULT_HEALTH_PATH
from shipit.private_files import write_private
from shipit.process_start import settled
from shipit.sandbox import moto_world
from shipit.sandbox.alb import LoadBalancerProxy
from shipit.sandbox.background import in_background
from shipit.sandbox.clients import EndpointClients
from shipit.sandbox.cloudwatch_metrics import Publisher
from shipit.sandbox.database import LocalDatabase, create_database, drop_database
from shipit.sandbox.ecr_dataplane import SandboxRegistry, start_sandbox_registry
from shipit.sandbox.ecs_scheduler import Scheduler
from shipit.sandbox.fargate_task import TaskContext
from shipit.sandbox.names import CONTAINER_PORT, CORS_ORIGIN, StackNames
from shipit.sandbox.podman import Podman, podman_problem
from shipit.sandbox.request_guard import RequestGuard
from shipit.sandbox.stack import create_stack
from shipit.sandbox.state import SandboxPaths, SandboxState, write_state
from shipit.sandbox.task_process import DEFAULT_COMMAND
from shipit.sandbox.timing import Timing
from shipit.sandbox.website import SandboxWebsite, start_website, web_bucket


@dataclass(frozen=True)
class DaemonSpec:
    """What `shipit sandbox up` hands the daemon (as JSON)."""

    project: str
    container: str = "app"
    repository: str = "articles"
    health_path: str = DEFAULT_HEALTH_PATH
    vars: dict[str, str] = field(default_factory=dict)
    timing: dict[str, float] = field(default_factory=dict)
    command: list[str] = field(default_factory=lambda: list(DEFAULT_COMMAND))
    database: bool = True


T = TypeVar("T")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


class PlainText:
    """A text stream that drops terminal colour and cursor codes: the daemon's log is a file."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(_ANSI.sub("", text))

    def flush(self) -> None:
        self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def quiet_logs() -> None:
    """One line per request from moto's web server would be most of the log, coloured: keep
    its warnings only; everything printed loses its terminal codes."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    sys.stdout = PlainText(sys.stdout)
    sys.stderr = PlainText(sys.stderr)


def main(argv: list[str] | None = None) -> int:
    gc.disable()  # while it starts: on again once ready (process_start.settled)
    parser = argparse.ArgumentParser(prog="shipit.sandbox.daemon")
    parser.add_argument("--root", required=True, type=Path)
    args = parser.parse_args(argv)
    paths = SandboxPaths(args.root.resolve())
    spec = DaemonSpec(**json.loads(paths.spec_file.read_text(encoding="utf-8")))
    paths.spec_file.unlink()
    quiet_logs()
    return run(paths, spec)


def run(paths: SandboxPaths, spec: DaemonSpec) -> int:
    started = time.time()
    os.umask(0o077)  # every file of the store (state, logs, tasks, registry) is its owner's
    state = SandboxState(pid=os.getpid(), status="starting", started_at=started)
    paths.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    paths.dir.chmod(0o700)
    paths.pid_file.write_text(str(os.getpid()), encoding="utf-8")
    write_state(paths, state)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    # Random credentials per start: the guard in front of moto checks every signature.
    credentials = LocalCredentials.generate()
    credentials.write(paths.credentials_file)
    os.environ.update({"AWS_ACCESS_KEY_ID": credentials.access_key_id,
                       "AWS_SECRET_ACCESS_KEY": credentials.secret_access_key})
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        os.environ.pop(name, None)

    phases = state.phases
    names = StackNames(spec.project, spec.container, spec.repository, spec.health_path)
    # Two psql calls (~0.15 s of waiting) while moto is imported and the stack is made.
    creating_database = in_background("database", lambda: create_database(
        _database_name(paths.root, names), paths.dir)) if spec.database else None
    began_imports = time.monotonic()
    # Tasks here are Fargate's: none of moto's ~1,300 default EC2 machine images (each made with
    # a volume and a snapshot when EC2 is first called, ~0.3 s) is ever asked for.
    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    moto_world.install_patches()
    registry_password = secrets.token_urlsafe(24)
    moto_world.set_registry_password(registry_password)
    website_origin: list[str] = []
    guard: RequestGuard | None = None

    def guarded(app: Any) -> RequestGuard:
        nonlocal guard
        guard = RequestGuard(app, credentials, lambda: website_origin[0] if website_origin
                             else None, issued=moto_world.issued_secret)
        return guard

    moto = moto_world.MotoServer(guarded)
    assert guard is not None
    guard.port = moto.port
    phases["moto import"] = round(time.monotonic() - began_imports, 3)
    database: LocalDatabase | None = None
    scheduler: Scheduler | None = None
    proxy: LoadBalancerProxy | None = None
    worker: threading.Thread | None = None
    registry: SandboxRegistry | None = None
    publisher: Publisher | None = None
    website: SandboxWebsite | None = None
    try:
        probe = _Probe()  # ~0.4 s, overlapped with the stack's creation
        timed(phases, "moto", moto.start)
        port = moto.port
        state.endpoint_url, state.moto_port = f"http://127.0.0.1:{port}", port
        clients = EndpointClients(state.endpoint_url, names.region)
        state.website_bucket = web_bucket(names)
        website = timed(phases, "website", lambda: start_website(  # the S3 website endpoint
            clients["s3"], state.website_bucket))
        state.website_port = website.port
        website_origin.append(state.website_url)
        stack = timed(phases, "stack", lambda: create_stack(
            clients.__getitem__, names, website.allow(spec.vars, CORS_ORIGIN)))
        registry = timed(phases, "registry", lambda: start_sandbox_registry(
            paths.dir / "registry", clients["ecr"]))
        if registry is not None:  # moto has no registry data plane: the emulation is one
            state.registry_host, state.registry_pid = registry.host, registry.registry.pid
            state.registry_ports = registry.ports
        if creating_database is not None:  # the phase: what is left of its wait
            database = timed(phases, "database", creating_database.result)
            state.database = database.url
        podman = timed(phases, "podman probe", lambda: probe.podman(
            registry, paths.root, _registry_login(paths, registry, registry_password)))
        began_services = time.monotonic()
        ctx = TaskContext(
            backends=moto_world.Backends(names.region), clients=clients,
            command=tuple(spec.command), tasks_dir=paths.tasks_dir,
            target_group_arn=stack["target_group_arn"], container_name=names.container,
            container_port=CONTAINER_PORT, rds_hosts={stack["db"]["address"]},
            database=database, podman=podman,
            no_container_reason=probe.why_not(registry),
            storage_note=f"store: {probe.storage.driver} ({probe.storage.reason})",
        )
        state.runtime = "podman" if ctx.podman is not None else "local-process"
        state.runtime_reason = "" if ctx.podman is not None else ctx.no_container_reason
        state.storage = probe.storage.to_dict()
        timing = Timing(**spec.timing)

        def on_change(scheduler: Scheduler) -> None:
            live = [t for t in scheduler.live_tasks() if t.process is not None]
            pids = {t.id: t.process.pid for t in live
                    if t.process is not None and t.process.pid is not None}
            runtimes = {t.id: t.runtime for t in live}
            tasks = [t.describe() for t in [*scheduler.history, *scheduler.live_tasks()]]
            steady = scheduler.steady()
            if steady and "steady" not in state.phases and state.ready_seconds is not None:
                state.phases["steady"] = round(time.time() - started - state.ready_seconds, 3)
                print(f"service steady {state.phases['steady']:.2f}s after ready"
                      f" ({time.time() - started:.2f}s after start)", flush=True)
            if proxy is not None:  # kept-alive connections only to targets still registered
                proxy.retain(scheduler.healthy_ports())
            if (pids, runtimes, tasks, steady) != (state.task_pids, state.task_runtimes,
                                                   state.tasks, state.steady):
                state.task_pids, state.task_runtimes = pids, runtimes
                state.tasks, state.steady = tasks, steady
                write_state(paths, state)

        scheduler = Scheduler(ctx, names.cluster, names.service, timing, on_change=on_change)
        proxy = LoadBalancerProxy(0, scheduler.healthy_ports)
        proxy.start()
        publisher = Publisher(
            lambda: clients["cloudwatch"], proxy.traffic, cluster=names.cluster,
            service=names.service, load_balancer_arn=stack["load_balancer_arn"],
            target_group_arn=stack["target_group_arn"], tasks=scheduler.running_tasks,
        )
        publisher.start()
        state.proxy_port = proxy.port
        state.stack = stack
        worker = threading.Thread(target=scheduler.run, args=(stopping,), daemon=True,
                                  name="scheduler")
        worker.start()
        phases["services"] = round(time.monotonic() - began_services, 3)
        state.status, state.ready_seconds = "ready", round(time.time() - started, 3)
        write_state(paths, state)
        print(f"sandbox ready in {state.ready_seconds}s: moto {state.endpoint_url},"
              f" ALB proxy {state.proxy_url}", flush=True)
        print("phases: " + ", ".join(f"{k} {v:.2f}s" for k, v in phases.items()), flush=True)
        settled()
        stopping.wait()
        return 0
    except Exception as exc:
        traceback.print_exc()
        state.status, state.error = "failed", f"{type(exc).__name__}: {exc}"
        write_state(paths, state)
        return 1
    finally:
        stopping.set()
        timer = _StepTimer()
        if publisher is not None:
            timer("metrics", publisher.stop)
        if registry is not None:
            timer("registry", registry.stop)
        if website is not None:
            timer("website", website.stop)
        if database is None and creating_database is not None:  # the start failed before
            with contextlib.suppress(Exception):  # it was needed: dropped all the same
                database = creating_database.result(timeout=60)
        _shutdown(paths, state, scheduler, worker, proxy, moto, database, timer)


def _shutdown(
    paths: SandboxPaths, state: SandboxState, scheduler: Scheduler | None,
    worker: threading.Thread | None, proxy: LoadBalancerProxy | None, moto: Any,
    database: LocalDatabase | None, timer: _StepTimer,
) -> None:
    if state.status != "failed":
        state.status = "stopping"
        write_state(paths, state)
    if worker is not None:
        timer("scheduler", lambda: worker.join(timeout=10))
    if proxy is not None:  # first, as an ALB deregisters targets before their tasks stop
        timer("alb", proxy.stop)
    if scheduler is not None:
        timer("tasks", scheduler.shutdown)
        podman = scheduler.ctx.podman
        if podman is not None:  # any container left behind, by the sandbox's label
            timer("containers", podman.remove_all)
    with contextlib.suppress(Exception):  # it may not have started
        timer("moto", moto.stop)
    if database is not None:
        timer("database", lambda: drop_database(database))
    if state.status != "failed":
        for file in (paths.state_file, paths.pid_file, paths.credentials_file,
                     paths.registry_auth_file):
            file.unlink(missing_ok=True)
    print(f"sandbox stopped ({timer.summary()})", flush=True)


def timed(phases: dict[str, float], name: str, step: Callable[[], T]) -> T:
    """Run one start-up phase and record its seconds in ``phases`` (the state and the log)."""
    began = time.monotonic()
    try:
        return step()
    finally:
        phases[name] = round(time.monotonic() - began, 3)


class _StepTimer:
    """Times each shutdown step, for the daemon's log (where a slow `sandbox down` goes)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def __call__(self, name: str, step: Any) -> None:
        began = time.monotonic()
        try:
            step()
        finally:
            self.seconds[name] = time.monotonic() - began

    def summary(self) -> str:
        return ", ".join(f"{name} {seconds:.2f}s" for name, seconds in self.seconds.items())


class _Probe:
    """Does podman work here? Asked once, in the background, at daemon start."""

    def __init__(self) -> None:
        from shipit.image.storage import decide

        self.storage = decide()
        self.problem: str | None = "podman was not probed"
        self._thread = threading.Thread(target=self._run, daemon=True, name="podman-probe")
        self._thread.start()

    def _run(self) -> None:
        self.problem = podman_problem(self.storage)

    def podman(self, registry: SandboxRegistry | None, root: Path,
               authfile: Path | None) -> Podman | None:
        """podman for the tasks when it works and there is a registry to pull from."""
        self._thread.join(timeout=30)
        if self.problem is not None or registry is None:
            return None
        return Podman(self.storage, registry.host, registry.registry.host, str(root),
                      authfile=authfile)

    def why_not(self, registry: SandboxRegistry | None) -> str:
        """Why tasks run from source, for the task notes (when ``podman()`` gave None)."""
        if self.problem is not None:
            return self.problem
        return "no registry to pull from (docker-registry is not installed)"


def _registry_login(paths: SandboxPaths, registry: SandboxRegistry | None,
                    password: str) -> Path | None:
    """The tasks' ECR login (what the execution role gets from ECR), as a 0600 auth file."""
    if registry is None:
        return None
    auth = base64.b64encode(f"AWS:{password}".encode()).decode()
    return write_private(paths.registry_auth_file,
                         json.dumps({"auths": {registry.host: {"auth": auth}}}))


def _database_name(root: Path, names: StackNames) -> str:
    digest = hashlib.sha256(str(root).encode()).hexdigest()[:8]
    return f"shipit_sandbox_{names.db_name}_{digest}"


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Everything was stopped and removed explicitly above; tearing down the interpreter with
    # moto's whole in-memory world took ~5 s more of `sandbox down`, for nothing.
    os._exit(code)
