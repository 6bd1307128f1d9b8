"""Doctor benchmark: the wall time of a full `shipit doctor` on the sandbox (target <= 2 s).

Usage (from the repository root):

    .venv/bin/python bench/doctor.py             # measure and print
    .venv/bin/python bench/doctor.py --record    # ... and write the "doctor" section of
                                                 # docs/benchmarks.md (other sections are kept)

One sandbox (`shipit sandbox up`, then `shipit dns` so every check has something to pass), one
warm-up run, then N runs of `python -m shipit --env sandbox doctor --json` as a whole process:
interpreter start, imports, the concurrent snapshot (19 reads; the VPC's eight network reads
run concurrently too), the 21 checks and their HTTP probes. Each run's verdicts are kept, so a
fast run that judged wrongly would show.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.deploy_verdict import clean_env, shipit  # noqa: E402 - after the path setup
from bench.report import record_section  # noqa: E402

SECTION = "## doctor"
TARGET = 2.0


def measure(runs: int) -> tuple[list[float], dict[str, int]]:
    root = Path(tempfile.mkdtemp(prefix="shipit-bench-doctor-"))
    shutil.copy(ROOT / "shipit.toml", root / "shipit.toml")
    env = clean_env()
    try:
        for step in (("sandbox", "up"), ("--env", "sandbox", "dns")):
            done = shipit(root, env, *step)
            if done.returncode != 0:
                raise RuntimeError(f"{' '.join(step)}: {done.stderr}")
        shipit(root, env, "--env", "sandbox", "doctor", "--json")  # warm-up
        times: list[float] = []
        summary: dict[str, int] = {}
        for _ in range(runs):
            began = time.perf_counter()
            done = shipit(root, env, "--env", "sandbox", "doctor", "--json")
            times.append(time.perf_counter() - began)
            summary = json.loads(done.stdout)["summary"]
            if done.returncode != 0:
                raise RuntimeError(f"doctor failed on the sandbox: {done.stdout}")
        return times, summary
    finally:
        shipit(root, env, "sandbox", "down")
        shutil.rmtree(root, ignore_errors=True)


def render(times: list[float], summary: dict[str, int], command: str) -> str:
    median = statistics.median(times)
    verdict = "met" if median <= TARGET else "MISSED"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    shown = ", ".join(f"{n} {status}" for status, n in summary.items() if n)
    return "\n".join([
        SECTION,
        "",
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()} Linux, Python"
        f" {platform.python_version()}, load average {load}. Command:",
        "",
        "```sh",
        command,
        "```",
        "",
        "| what | runs | median | min | max | target |",
        "|---|---|---|---|---|---|",
        f"| `shipit --env sandbox doctor --json` (whole process) | {len(times)} |"
        f" {median:.3f} s | {min(times):.3f} s | {max(times):.3f} s | <= {TARGET:g} s:"
        f" {verdict} |",
        "",
        f"Every run judged the healthy sandbox the same: {shown}."
        " The reads run concurrently, one thread each, waiting only"
        " for the facts they depend on; the checks and their HTTP probes run concurrently too.",
        "",
    ])


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="measured runs (default 9)")
    parser.add_argument("--record", action="store_true", help="write docs/benchmarks.md")
    options = parser.parse_args()
    times, summary = measure(options.runs)
    section = render(times, summary, ".venv/bin/python bench/doctor.py --record")
    print(section)
    if options.record:
        record_section(SECTION, section)
    return 0 if statistics.median(times) <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
