"""The demo's order of steps, their timing, and the teardown that always happens.

The first failing step ends the chain (later steps are reported as not run); whatever happens,
the sandbox the demo started is stopped unless ``keep`` (Ctrl-C included).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from shipit.demo import steps
from shipit.demo.report import DemoReport, StepResult
from shipit.errors import ShipitError
from shipit.types import Clock, Sleep

if TYPE_CHECKING:
    from shipit.image.runner import Runner
    from shipit.output import Output

Step = Callable[[steps.DemoContext], steps.Outcome]
STEPS: tuple[tuple[str, Step], ...] = (
    ("sandbox up", steps.sandbox_up),
    ("build", steps.build),
    ("push", steps.push),
    ("deploy", steps.deploy),
    ("dns", steps.dns),
    ("web", steps.web),
    ("doctor", steps.doctor),
    ("export", steps.export),
    ("e2e", steps.e2e),
    ("browser", steps.browser),
    ("report", steps.report),
)


@dataclass(frozen=True)
class DemoOptions:
    config_path: Path
    keep: bool = False
    builder: str = "auto"


def run_demo(options: DemoOptions, *, output: Output, runner: Runner | None = None,
             clock: Clock = time.monotonic,
             sleep: Sleep = time.sleep) -> DemoReport:
    from shipit.image.runner import SubprocessRunner

    ctx = steps.DemoContext(options.config_path, options.builder, output,
                            runner or SubprocessRunner(), clock, sleep)
    report = DemoReport(kept=options.keep)
    began = clock()
    try:
        for number, (name, step) in enumerate(STEPS, 1):
            failed = report.failed_step
            if failed is not None:
                report.steps.append(StepResult(name, "skip", 0.0, f"not run: {failed.step}"
                                               " failed"))
                continue
            output.info(f"[{number}/{len(STEPS)}] {name}")
            report.steps.append(timed(name, step, ctx, clock))
    finally:
        report.steps.append(teardown(ctx, options.keep, clock))
        report.seconds = clock() - began
        report.builder = ctx.choice.name if ctx.choice else "none"
        report.task_runtime, report.task = ctx.task_runtime, ctx.task
        report.storage = ctx.storage.to_dict() if ctx.storage is not None else {}
        if ctx.state is not None:
            report.url, report.endpoint_url = ctx.state.proxy_url, ctx.state.endpoint_url
    return report


def timed(name: str, step: Step, ctx: steps.DemoContext, clock: Clock
          ) -> StepResult:
    started = clock()
    try:
        outcome = step(ctx)
    except ShipitError as error:
        ctx.output.fail(f"{name}: {error.message}", error.hint)
        return StepResult(name, "fail", clock() - started, error.message, error.hint)
    except Exception as exc:  # a bug in a step still ends in a report and a teardown
        ctx.output.fail(f"{name}: unexpected {type(exc).__name__}: {exc}")
        return StepResult(name, "fail", clock() - started,
                          f"unexpected {type(exc).__name__}: {exc}", "this is a bug in shipit")
    seconds = clock() - started
    mark = ctx.output.success if outcome.verdict == "pass" else ctx.output.warn
    mark(f"{name} ({seconds:.1f}s): {outcome.detail}")
    return StepResult(name, outcome.verdict, seconds, outcome.detail, data=outcome.data)


def teardown(ctx: steps.DemoContext, keep: bool, clock: Clock) -> StepResult:
    if not ctx.started_sandbox:
        why = "the demo started no sandbox" if ctx.state is None else \
            "the sandbox was already running before the demo: left running"
        return StepResult("sandbox down", "skip", 0.0, why)
    if keep:
        return StepResult("sandbox down", "skip", 0.0, "--keep: the sandbox is still running")
    ctx.output.info("sandbox down")
    return timed("sandbox down", steps.sandbox_down, ctx, clock)
