"""Follow one deployment until a verdict or the deadline; clock and sleep are injected."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from shipit.deploy.verdict import Observation, RolloutOutcome, describe, judge
from shipit.types import Clock, Sleep


@dataclass(frozen=True)
class WaitResult:
    verdict: RolloutOutcome
    last: Observation | None
    observations: int
    verdict_at: float


def wait_for_deployment(
    observe: Callable[[], Observation],
    deployment_id: str,
    task_definition: str,
    *,
    timeout: float,
    interval: float,
    clock: Clock,
    sleep: Sleep,
    on_observation: Callable[[Observation], None] | None = None,
) -> WaitResult:
    """Observe, judge, sleep; a timeout verdict says what was last seen."""
    deadline = clock() + timeout
    last: Observation | None = None
    count = 0
    while True:
        last = observe()
        count += 1
        if on_observation is not None:
            on_observation(last)
        verdict = judge(last, deployment_id, task_definition)
        if verdict is not None:
            return WaitResult(verdict, last, count, clock())
        remaining = deadline - clock()
        if remaining <= 0:
            seen = describe(last, deployment_id)
            newest = last.service.events[0].message if last.service.events else "no events"
            return WaitResult(
                RolloutOutcome("timeout", f"gave up after {timeout:g}s; last seen: {seen}; newest"
                        f" event: {newest}"),
                last, count, clock(),
            )
        sleep(min(interval, remaining))


def parse_duration(text: str) -> float:
    """``90``, ``90s``, ``15m``, ``1h``, ``1m30s`` -> seconds (pure)."""
    import re

    from shipit.errors import UsageError

    cleaned = text.strip().lower()
    if re.fullmatch(r"\d+(\.\d+)?", cleaned):
        return float(cleaned)
    parts = re.findall(r"(\d+(?:\.\d+)?)([hms])", cleaned)
    if not parts or "".join(n + u for n, u in parts) != cleaned:
        raise UsageError(f"{text!r} is not a duration", hint="use e.g. 90s, 15m or 1h")
    scale = {"h": 3600.0, "m": 60.0, "s": 1.0}
    return sum(float(number) * scale[unit] for number, unit in parts)


MAX_SINCE = 3653 * 86400.0
"""CloudWatch Logs keeps events at most 10 years (its longest retention): the furthest back."""


def parse_since(text: str) -> float:
    """``--since``: a duration above 0 and at most 10 years, else a UsageError (exit 2)."""
    from shipit.errors import UsageError

    seconds = parse_duration(text)
    if not 0 < seconds <= MAX_SINCE:
        raise UsageError(f"--since {text[:40]!r} is out of range: more than 0 and at most"
                         " 10 years (87672h)", hint="use e.g. 30m, 6h or 720h")
    return seconds
