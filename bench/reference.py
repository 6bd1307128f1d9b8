"""The machine's speed, measured beside a benchmark: ``aws --version`` (the issue's reference).

Goals in issues are stated for a machine where ``aws --version`` takes ~0.7 s; ``scale`` is
what a goal becomes on this machine (goal x measured / 0.7), measured in the same minutes.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import time

REFERENCE_SECONDS = 0.7


def aws_version_seconds(runs: int = 3) -> float | None:
    """Median wall time of ``aws --version``; None when the AWS CLI is not installed."""
    if shutil.which("aws") is None:
        return None
    times = []
    for _ in range(runs):
        began = time.monotonic()
        subprocess.run(["aws", "--version"], capture_output=True, check=False)
        times.append(time.monotonic() - began)
    return statistics.median(times)


def scale(goal: float, measured: float | None) -> float | None:
    return None if measured is None else goal * measured / REFERENCE_SECONDS
