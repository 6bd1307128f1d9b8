"""`shipit probe` for people: each target the probe task reached, or where it failed."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from shipit.deploy.probe import ProbeReport


def print_probe(console: Console, report: ProbeReport) -> None:
    console.print(f"probe task {report.task_id} ({report.seconds:.1f}s, exit"
                  f" {report.exit_code})", markup=False, highlight=False)
    for r in report.results:
        if r.ok:
            line = f"  ok    {r.target:<15} {' -> '.join(r.steps)} ({r.ms:.0f} ms)"
        else:
            line = f"  FAIL  {r.target:<15} at {r.failed_step}: {r.error}"
        console.print(line, markup=False, highlight=False)
