"""A task's life as ECS and the ALB judge it, driven by a hand-moved clock (no sleeping).

Each case: the target group's settings and the service's grace (AWS seconds), when the app
starts answering after RUNNING (None: never), and when it dies (None: never). The simulation
checks whenever a check is due, as the scheduler does, and reports how the task ended.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from shipit.sandbox.task_life import HealthPolicy, TaskLife, TimeScale

REFERENCE = HealthPolicy(path="/api/health", interval=10, timeout=5, healthy_threshold=2,
                         unhealthy_threshold=2, grace=30)
"""The sandbox reference stack's target group and service."""
AWS_DEFAULTS = HealthPolicy(interval=30, timeout=5, healthy_threshold=5, unhealthy_threshold=2)


@dataclass(frozen=True)
class Ending:
    verdict: str  # healthy | unhealthy | still-initial
    at: float
    """Seconds after RUNNING."""


def simulate(policy: HealthPolicy, answers_after: float | None, *, scale: float = 0.1,
             until: float = 600.0, step: float = 0.05, pending: float = 0.0) -> Ending:
    now = 100.0
    life = TaskLife(created_at=now)
    life.provisioned(now)
    now += pending
    life.running(now)
    began, time_scale = now, TimeScale(scale)
    while now - began < until:
        if life.check_due(now, policy, time_scale):
            ok = answers_after is not None and now - began >= answers_after
            change = life.checked(ok, now, policy, time_scale)
            if change is not None:
                return Ending(change, round(now - began, 2))
        now += step
    return Ending("still-initial", until)


def aws_unhealthy_at_the_earliest(policy: HealthPolicy) -> float:
    """On AWS a never-healthy task is replaced no sooner than this after RUNNING."""
    return max(policy.grace, (policy.unhealthy_threshold - 1) * policy.interval)


@pytest.mark.parametrize(("policy", "answers_after", "verdict", "lowest", "highest"), [
    # a quick app is healthy after healthy_threshold checks at the scaled interval (1 s here)
    pytest.param(REFERENCE, 1.5, "healthy", 1.5, 3.5, id="quick-start-healthy-in-seconds"),
    # an image that needs 20 s to start passes: the reference grace is 30 s, as on AWS
    pytest.param(REFERENCE, 20.0, "healthy", 20.0, 22.5, id="slow-start-20s-passes"),
    # ... and so does one needing 35 s: AWS would still be counting the second failed check
    pytest.param(REFERENCE, 35.0, "healthy", 35.0, 37.5, id="35s-inside-grace-plus-checks"),
    # never answering fails, with the health class, no sooner than AWS could
    pytest.param(REFERENCE, None, "unhealthy", 40.0, 41.5, id="never-healthy-fails"),
    # the grace period is honoured: 120 s of grace, nothing is stopped before
    pytest.param(HealthPolicy(interval=10, unhealthy_threshold=2, healthy_threshold=2, grace=120),
                 None, "unhealthy", 130.0, 131.5, id="grace-honoured"),
    # thresholds come from the target group: 5 healthy checks at 30 s -> 15 s scaled
    pytest.param(AWS_DEFAULTS, 0.0, "healthy", 12.0, 15.5, id="healthy-threshold-5-of-30s"),
    # unhealthy threshold 10 x interval 6 s: the failure takes 70 s, not 2 checks
    pytest.param(HealthPolicy(interval=6, unhealthy_threshold=10, healthy_threshold=2), None,
                 "unhealthy", 66.0, 71.0, id="unhealthy-threshold-10"),
])
def test_a_task_ends_as_the_target_group_says(policy: HealthPolicy, answers_after: float | None,
                                              verdict: str, lowest: float, highest: float
                                              ) -> None:
    ending = simulate(policy, answers_after)

    assert ending.verdict == verdict
    assert lowest <= ending.at <= highest, ending


@pytest.mark.parametrize("scale", [0.01, 0.05, 0.1, 0.5, 1.0])
@pytest.mark.parametrize("policy", [REFERENCE, AWS_DEFAULTS,
                                    HealthPolicy(interval=5, unhealthy_threshold=2, grace=0),
                                    HealthPolicy(interval=300, unhealthy_threshold=10, grace=0)])
def test_no_scale_fails_a_task_sooner_than_aws_could(policy: HealthPolicy, scale: float) -> None:
    """Whatever the scale, a never-healthy task is called unhealthy no sooner than AWS could;
    so an app that starts before that moment on AWS is seen healthy here."""
    never = simulate(policy, None, scale=scale, until=5000, step=0.5)
    assert never.verdict == "unhealthy"
    assert never.at >= aws_unhealthy_at_the_earliest(policy)

    start = aws_unhealthy_at_the_earliest(policy) - 0.5
    slow = simulate(policy, start, scale=scale, until=5000, step=0.5)
    assert slow.verdict == "healthy"


def test_a_once_healthy_task_that_stops_answering_fails_after_its_streak() -> None:
    policy, scale = REFERENCE, TimeScale(0.1)
    life = TaskLife(created_at=0.0)
    life.provisioned(0.0)
    life.running(1.0)
    assert life.checked(True, 2.0, policy, scale) is None
    assert life.checked(True, 3.0, policy, scale) == "healthy"
    # AWS needs (2 - 1) x 10 s of failed checks; scaled checks every 1 s must wait as long
    moments = [100.0 + second for second in range(12)]
    changes = [life.checked(False, moment, policy, scale) for moment in moments]
    assert changes.index("unhealthy") == 10
    assert life.ever_healthy
    assert life.target == "unhealthy"


def test_a_pass_resets_the_failing_streak() -> None:
    policy, scale = HealthPolicy(interval=10, unhealthy_threshold=3, healthy_threshold=3), \
        TimeScale(0.1)
    life = TaskLife(created_at=0.0)
    life.provisioned(0.0)
    life.running(0.0)
    for moment in range(0, 200, 2):
        ok = moment % 6 == 0  # one pass in three: never 3 in a row either way
        assert life.checked(bool(ok), float(moment), policy, scale) is None
    assert life.target == "initial"


def test_no_check_before_running_and_timings_from_creation() -> None:
    policy, scale = REFERENCE, TimeScale(0.1)
    life = TaskLife(created_at=10.0)
    assert not life.check_due(10.0, policy, scale)
    life.provisioned(10.5)
    life.step_seconds.update({"pull": 0.4, "create": 7.5, "start": 0.1})
    assert not life.check_due(15.0, policy, scale)
    assert life.checked(True, 15.0, policy, scale) is None  # not running: ignored
    life.running(18.5)
    assert life.check_due(18.5, policy, scale)
    life.checked(True, 19.5, policy, scale)
    assert not life.check_due(20.0, policy, scale)  # next one 1 s (10 s x 0.1) later
    assert life.check_due(20.5, policy, scale)
    life.checked(True, 20.5, policy, scale)
    life.stopped(30.0)
    assert life.timings() == {"pending": 0.5, "running": 8.5, "first_healthy": 10.5,
                              "stopped": 20.0, "pull": 0.4, "create": 7.5, "start": 0.1}


@pytest.mark.parametrize(("matcher", "status", "accepted"), [
    ("200", 200, True), ("200", 204, False), ("200,204", 204, True),
    ("200-299", 299, True), ("200-299", 301, False), ("200 ,302", 302, True),
    ("bogus", 200, False),
])
def test_matcher(matcher: str, status: int, accepted: bool) -> None:
    assert HealthPolicy(matcher=matcher).accepts(status) is accepted


def test_task_summary_of_the_state_file() -> None:
    from shipit.sandbox.state import TaskSummary, task_summary

    running: TaskSummary = {
        "id": "0123456789abcdef", "revision": 2, "deployment": "ecs-svc/1", "phase": "RUNNING",
        "health": "healthy", "port": 40001, "one_off": False,
        "runtime": "container (podman)", "store": "store: overlay (new store)",
        "timings": {"pull": 0.4, "create": 0.61, "start": 0.1, "pending": 0.05, "running": 1.2,
                    "first_healthy": 3.25, "stopped": None}, "stopped_reason": None}
    assert task_summary(running) == ("container (podman), store: overlay (new store);"
                                     " pull 0.4s, create 0.6s, start 0.1s; running at 1.2s,"
                                     " healthy at 3.2s")
    stopped: TaskSummary = {
        **running, "runtime": "sample_service from source (why)", "store": "",
        "timings": {"start": 0.0, "pending": 0.0, "running": 0.4, "first_healthy": None,
                    "stopped": 5.0},
        "stopped_reason": "Essential container in task exited"}
    assert task_summary(stopped) == ("sample_service from source (why); start 0.0s;"
                                     " running at 0.4s, stopped at 5.0s; stopped: Essential"
                                     " container in task exited")
