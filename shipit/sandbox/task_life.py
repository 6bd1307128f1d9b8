"""One Fargate task's life behind an ALB target group, as ECS and the ALB judge it: pure, clocked.

    PROVISIONING -> PENDING (image pull, container create) -> RUNNING (the process really
    started) -> target registered ("initial") -> health checks -> healthy | unhealthy -> STOPPED

The health check follows the target group's own settings (path, matcher, interval, timeout,
healthy/unhealthy thresholds) and the service's ``healthCheckGracePeriodSeconds``. The sandbox
shrinks time with ONE scale (``TimeScale.factor``, sandbox seconds per AWS second), and only where
shrinking can make a task pass sooner, never fail sooner:

- checks run every ``interval x factor`` (a healthy task is seen healthy in seconds, not minutes);
- a task is called unhealthy only after ``unhealthy_threshold`` failed checks in a row AND no
  earlier than AWS itself could: ``max(grace, unhealthy_threshold x interval) + interval`` real
  seconds after RUNNING, and ``(unhealthy_threshold - 1) x interval`` after the failing streak
  began. So an image that starts in time on AWS starts in time here, however slowly it starts;
- a check's timeout is the target group's, in real seconds (a slow answer is as slow here).

Times are plain floats from an injected clock: the table tests drive it by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# pydantic validates TypedDicts from typing_extensions only, before Python 3.12.
from typing_extensions import TypedDict

Phase = Literal["PROVISIONING", "PENDING", "RUNNING", "STOPPED"]
TargetHealth = Literal["unused", "initial", "healthy", "unhealthy"]
Change = Literal["healthy", "unhealthy"]

MIN_CHECK_EVERY = 0.2


class StepSeconds(TypedDict, total=False):
    """PENDING's timed steps: pull and create for a container, start for both."""

    pull: float
    create: float
    start: float


STEPS: tuple[Literal["pull", "create", "start"], ...] = ("pull", "create", "start")


class TaskTimings(StepSeconds):
    """Seconds from the task's creation to each moment of its life (None: not reached yet)."""

    pending: float | None
    running: float | None
    first_healthy: float | None
    stopped: float | None
"""Never probe a task more often than this (sandbox seconds), whatever the scale."""


@dataclass(frozen=True)
class HealthPolicy:
    """The target group's health check and the service's grace period, in AWS seconds."""

    path: str = "/"
    interval: float = 30.0
    timeout: float = 5.0
    healthy_threshold: int = 5
    unhealthy_threshold: int = 2
    matcher: str = "200"
    """``HttpCode`` of the target group: "200", "200,204", "200-299"."""
    grace: float = 0.0
    """The service's healthCheckGracePeriodSeconds."""

    def accepts(self, status: int) -> bool:
        """Does the matcher accept this HTTP status?"""
        for part in self.matcher.replace(" ", "").split(","):
            low, _, high = part.partition("-")
            try:
                if int(low) <= status <= int(high or low):
                    return True
            except ValueError:
                continue
        return False


@dataclass(frozen=True)
class TimeScale:
    """Sandbox seconds per AWS second, for the waits that only ever make a task pass sooner."""

    factor: float = 0.1

    def check_every(self, policy: HealthPolicy) -> float:
        return max(MIN_CHECK_EVERY, policy.interval * self.factor)

    def provisioning(self, aws_seconds: float) -> float:
        return aws_seconds * self.factor

    @staticmethod
    def unhealthy_after(policy: HealthPolicy) -> float:
        """Earliest moment after RUNNING that a never-healthy task may be called unhealthy.

        Not scaled: the ALB needs ``unhealthy_threshold`` checks ``interval`` apart, and ECS
        ignores the verdict during the grace period; one more interval of slack on top.
        """
        return max(policy.grace, policy.unhealthy_threshold * policy.interval) + policy.interval

    @staticmethod
    def streak_needed(policy: HealthPolicy) -> float:
        """How long a failing streak lasts on AWS before the target turns unhealthy."""
        return (policy.unhealthy_threshold - 1) * policy.interval


@dataclass
class TaskLife:
    """Where one task is in its life, and when it got there (clock seconds)."""

    created_at: float
    phase: Phase = "PROVISIONING"
    target: TargetHealth = "unused"
    pending_at: float | None = None
    running_at: float | None = None
    first_healthy_at: float | None = None
    stopped_at: float | None = None
    step_seconds: StepSeconds = field(default_factory=lambda: StepSeconds())
    passes: int = 0
    failures: int = 0
    streak_began: float | None = None
    last_check_at: float | None = None
    checks: int = 0

    @property
    def ever_healthy(self) -> bool:
        return self.first_healthy_at is not None

    # -- phases ------------------------------------------------------------------------------
    def provisioned(self, now: float) -> None:
        """PENDING: the agent pulls the image and creates the container."""
        self.phase, self.pending_at = "PENDING", now

    def running(self, now: float) -> None:
        """RUNNING: the container's process has started; the target is registered."""
        self.phase, self.running_at, self.target = "RUNNING", now, "initial"

    def stopped(self, now: float) -> None:
        self.phase, self.stopped_at, self.target = "STOPPED", now, "unused"

    # -- health ------------------------------------------------------------------------------
    def next_check_at(self, policy: HealthPolicy, scale: TimeScale) -> float | None:
        """When the next health check is due (the first: at RUNNING); None unless RUNNING."""
        if self.phase != "RUNNING" or self.running_at is None:
            return None
        if self.last_check_at is None:
            return self.running_at
        return self.last_check_at + scale.check_every(policy)

    def check_due(self, now: float, policy: HealthPolicy, scale: TimeScale) -> bool:
        due = self.next_check_at(policy, scale)
        return due is not None and now >= due

    def checked(self, ok: bool, now: float, policy: HealthPolicy, scale: TimeScale
                ) -> Change | None:
        """Record one health check's result; the target's change of state, if any."""
        if self.phase != "RUNNING" or self.running_at is None:
            return None
        self.last_check_at, self.checks = now, self.checks + 1
        if ok:
            self.failures, self.streak_began = 0, None
            self.passes += 1
            if self.target != "healthy" and self.passes >= policy.healthy_threshold:
                self.target = "healthy"
                if self.first_healthy_at is None:
                    self.first_healthy_at = now
                return "healthy"
            return None
        self.passes = 0
        self.failures += 1
        if self.streak_began is None:
            self.streak_began = now
        if self.target == "unhealthy" or self.failures < policy.unhealthy_threshold:
            return None
        if now - self.streak_began < scale.streak_needed(policy):
            return None
        if not self.ever_healthy and now - self.running_at < scale.unhealthy_after(policy):
            return None  # the grace period, or AWS would not have had the checks yet
        self.target = "unhealthy"
        return "unhealthy"

    # -- report ------------------------------------------------------------------------------
    def timings(self) -> TaskTimings:
        """Seconds from creation: pending, running, first healthy, stopped; PENDING's steps."""
        def since(moment: float | None) -> float | None:
            return None if moment is None else round(moment - self.created_at, 3)

        timings = TaskTimings(
            pending=since(self.pending_at), running=since(self.running_at),
            first_healthy=since(self.first_healthy_at), stopped=since(self.stopped_at))
        for step in STEPS:
            if step in self.step_seconds:
                timings[step] = round(self.step_seconds[step], 3)
        return timings
