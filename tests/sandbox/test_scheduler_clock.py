"""The ECS scheduler stand-in, table-tested with a hand-moved clock over moto in this process.

The reference stack is created in moto (``mock_aws``, in-process, as the sandbox daemon runs it),
the scheduler reads the target group's and the service's real settings from it, and only the
task itself is a fake (``FakeApp``): a process that starts answering its health check N seconds
after RUNNING, or never, or exits. No test sleeps; every tick moves the clock by hand.
This is the only test module that patches moto in-process (shipit.sandbox.moto_world).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from shipit.sandbox import moto_world
from shipit.sandbox.ecs_scheduler import Scheduler
from shipit.sandbox.fargate_task import SandboxTask, TaskContext
from shipit.sandbox.names import CONTAINER_PORT, StackNames
from shipit.sandbox.preflight import Stop
from shipit.sandbox.stack import create_stack
from shipit.sandbox.stack_ids import StackIds
from shipit.sandbox.timing import Timing

moto = pytest.importorskip("moto")
TICK = 0.25


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass(frozen=True)
class App:
    """How a revision's task behaves, in seconds after RUNNING."""

    answers_after: float | None = 0.5
    exits_after: float | None = None
    exit_code: int = 1
    pending: float = 0.0
    """Seconds PENDING takes (pull + create + start), e.g. a slow vfs create."""


class FakeProcess:
    """Stands in for the task's process (LocalProcess / PodmanContainer): a FAKE."""

    measures_memory = False
    pid = None

    def __init__(self, app: App, clock: Clock, task: SandboxTask) -> None:
        self.app, self.clock, self.task = app, clock, task
        self.stopped = False

    def exit_code(self) -> int | None:
        if self.stopped:
            return 0
        running = self.task.life.running_at
        if self.app.exits_after is None or running is None:
            return None
        return self.app.exit_code if self.clock() - running >= self.app.exits_after else None

    def stop(self, timeout: float) -> int | None:
        self.stopped = True
        return 0

    def wait_output(self, timeout: float) -> None:
        return None


def inline(work: Callable[[], Any]) -> Future[Any]:
    future: Future[Any] = Future()
    try:
        future.set_result(work())
    except Exception as exc:
        future.set_exception(exc)
    return future


@dataclass
class World:
    scheduler: Scheduler
    clock: Clock
    apps: dict[int, App]
    ecs: Any
    elbv2: Any
    stack: StackIds
    names: StackNames

    def run(self, seconds: float) -> None:
        end = self.clock.now + seconds
        while self.clock.now < end:
            self.scheduler.tick()
            self.clock.now += TICK

    def run_until(self, what: Callable[[], bool], limit: float) -> float:
        """Seconds of fake time until ``what`` holds (AssertionError past ``limit``)."""
        began = self.clock.now
        while not what():
            assert self.clock.now - began < limit, f"not within {limit}s of fake time"
            self.scheduler.tick()
            self.clock.now += TICK
        return self.clock.now - began

    def primary(self) -> dict[str, Any]:
        service = self.ecs.describe_services(cluster=self.names.cluster,
                                             services=[self.names.service])["services"][0]
        return dict(service["deployments"][0])

    def deploy(self, app: App) -> int:
        """A new revision behaving as ``app``, and UpdateService to it."""
        current = self.ecs.describe_task_definition(
            taskDefinition=self.stack["task_definition_arn"])["taskDefinition"]
        keep = ("family", "networkMode", "requiresCompatibilities", "cpu", "memory",
                "executionRoleArn", "runtimePlatform", "containerDefinitions")
        arn = self.ecs.register_task_definition(**{k: current[k] for k in keep if k in current})[
            "taskDefinition"]["taskDefinitionArn"]
        revision = int(arn.rsplit(":", 1)[-1])
        self.apps[revision] = app
        self.ecs.update_service(cluster=self.names.cluster, service=self.names.service,
                                taskDefinition=arn)
        return revision

    def stopped_reasons(self) -> list[str]:
        return [t.stop_reason or "" for t in self.scheduler.history]


@pytest.fixture
def sandbox_world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with moto.mock_aws():
        moto_world.install_patches()
        names = StackNames("articles")
        clients: dict[str, Any] = {}

        def client(name: str) -> Any:
            if name not in clients:
                clients[name] = boto3.client(name, region_name=names.region)  # type: ignore[call-overload]
            return clients[name]

        stack = create_stack(client, names, {})
        clock = Clock()
        apps: dict[int, App] = {1: App(answers_after=0.5)}
        ctx = TaskContext(
            backends=moto_world.Backends(names.region), clients=clients, command=(),
            tasks_dir=tmp_path, target_group_arn=stack["target_group_arn"],
            container_name=names.container, container_port=CONTAINER_PORT,
            rds_hosts=set(), database=None,
        )

        def prepare(task: SandboxTask) -> Stop | None:
            app = apps[task.revision]
            clock.now += app.pending  # PENDING's work takes this long (done inline here)
            task.process = FakeProcess(app, clock, task)  # type: ignore[assignment]
            task.host_port, task.runtime = 1, "fake"
            return None

        def check(task: SandboxTask) -> bool:
            app, running = apps[task.revision], task.life.running_at
            return (app.answers_after is not None and running is not None
                    and clock() - running >= app.answers_after)

        scheduler = Scheduler(ctx, names.cluster, names.service, Timing(tick=TICK),
                              clock=clock, run=inline, prepare_task=prepare, check=check)
        box = World(scheduler, clock, apps, client("ecs"), client("elbv2"), stack, names)
        box.run_until(lambda: box.primary()["rolloutState"] == "COMPLETED", limit=60)
        yield box


def test_an_image_that_needs_20s_to_start_deploys(sandbox_world: World) -> None:
    box = sandbox_world
    box.deploy(App(answers_after=20.0, pending=7.5))  # a vfs create, then a slow app

    took = box.run_until(lambda: box.primary()["rolloutState"] != "IN_PROGRESS", limit=300)

    assert box.primary()["rolloutState"] == "COMPLETED"
    assert box.primary()["failedTasks"] == 0
    assert 27.5 <= took <= 32.0
    task = next(iter(box.scheduler.tasks.values()))
    assert task.revision == 2
    timings = task.life.timings()
    assert timings["running"] is not None
    assert timings["running"] >= 7.5


def test_an_app_that_never_answers_fails_with_the_health_class(sandbox_world: World) -> None:
    box = sandbox_world
    box.deploy(App(answers_after=None))

    took = box.run_until(lambda: box.primary()["rolloutState"] != "IN_PROGRESS", limit=600)

    # three tasks (the circuit breaker's minimum), each ~35 s (grace 30 s, then one 5 s check)
    assert 3 * 35.0 <= took <= 3 * 40.0
    reasons = box.stopped_reasons()
    assert sum("failed ELB health checks" in r for r in reasons) == 3
    # ECS's circuit breaker rolled back: revision 1 serves again
    assert box.primary()["taskDefinition"].endswith(":1")
    box.run_until(lambda: box.primary()["rolloutState"] == "COMPLETED", limit=60)
    assert {t.revision for t in box.scheduler.live_tasks()} == {1}


def test_a_crash_fails_at_once_with_its_exit_code(sandbox_world: World) -> None:
    box = sandbox_world
    box.deploy(App(answers_after=None, exits_after=1.0, exit_code=3))

    took = box.run_until(lambda: box.primary()["rolloutState"] != "IN_PROGRESS", limit=120)

    assert took < 10.0  # crashes do not wait for health checks
    crashed = [t for t in box.scheduler.history if t.revision == 2]
    assert len(crashed) == 3
    assert all(t.moto_task.containers[0].exitCode == 3 for t in crashed)
    assert all(t.stop_reason == "Essential container in task exited" for t in crashed)


def test_the_grace_period_is_honoured(sandbox_world: World) -> None:
    box = sandbox_world
    box.ecs.update_service(cluster=box.names.cluster, service=box.names.service,
                           healthCheckGracePeriodSeconds=120)
    box.deploy(App(answers_after=None))

    first_stop = box.run_until(lambda: bool(box.stopped_reasons()), limit=300)

    assert 125.0 <= first_stop <= 127.0  # grace 120 s, plus one 5 s interval


def test_thresholds_and_interval_come_from_the_target_group(sandbox_world: World) -> None:
    box = sandbox_world
    box.elbv2.modify_target_group(TargetGroupArn=box.stack["target_group_arn"],
                                  HealthCheckIntervalSeconds=30, HealthyThresholdCount=5,
                                  HealthCheckPath="/healthz")
    box.deploy(App(answers_after=0.0))

    took = box.run_until(lambda: box.primary()["rolloutState"] == "COMPLETED", limit=120)

    # five passing checks, 30 s x 0.1 apart: ~12-15 s; with the old 2 x 1 s it was ~2 s
    assert 12.0 <= took <= 16.0
    assert next(iter(box.scheduler.tasks.values())).policy.path == "/healthz"


def test_the_loop_waits_until_the_next_check_is_due_not_a_whole_tick(
    sandbox_world: World,
) -> None:
    """A check falls due between two ticks: the loop wakes for it (the next wait is shorter)."""
    box = sandbox_world
    task = next(t for t in box.scheduler.live_tasks() if t.life.phase == "RUNNING")
    box.run_until(lambda: task.probing is None and task.life.last_check_at is not None,
                  limit=5)
    every = box.scheduler.scale.check_every(task.policy)
    assert every > TICK  # the reference target group: 5 s x 0.1
    last = task.life.last_check_at
    assert last is not None
    box.clock.now = last + every - 0.1
    assert box.scheduler.next_wait() == pytest.approx(0.1)
    box.clock.now = last + every + 1.0  # overdue: no wait at all
    assert box.scheduler.next_wait() == 0.0
    box.clock.now = last  # just checked: the tick bounds the wait
    assert box.scheduler.next_wait() == TICK


def test_work_done_off_the_loop_wakes_it(sandbox_world: World) -> None:
    """A task's start or health check ends on its own thread: the loop is woken to act on it
    at once (the wake event is what Scheduler.run waits on)."""
    scheduler = Scheduler(sandbox_world.scheduler.ctx, "c", "s", Timing(tick=TICK))
    assert not scheduler._wake.is_set()
    assert scheduler._submit(lambda: 7).result(timeout=10) == 7
    assert scheduler._wake.wait(timeout=10)


def test_a_new_task_is_provisioned_without_waiting_for_a_tick(sandbox_world: World) -> None:
    """Provisioning takes no time by default (Timing.provisioning): a task the loop has just
    created is due at once, not a tick later."""
    box = sandbox_world
    box.deploy(App(answers_after=0.5))
    box.scheduler.tick()  # the deployment's task is created (PROVISIONING)
    assert any(t.life.phase == "PROVISIONING" for t in box.scheduler.live_tasks())
    assert box.scheduler.next_wait() == 0.0
