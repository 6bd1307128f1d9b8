"""`shipit status` with its metrics on the sandbox: whole-process wall time.

Usage (from the repository root):

    .venv/bin/python bench/status.py            # 7 runs, printed
    .venv/bin/python bench/status.py --record   # ... and the "## status with metrics" section

One sandbox (`shipit sandbox up` in a folder holding a copy of shipit.toml, no SHIPIT_* variable),
some traffic through its ALB stand-in so every series has points, then `shipit --env sandbox
status --json` (service, task definition, tasks, target health and the 15-minute metrics in one
GetMetricData call) N times, each a whole process.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import record_section  # noqa: E402 - after the path setup
from bench.sandbox_run import head_commit, sandbox_project, user_shipit  # noqa: E402

SECTION = "## status with metrics"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args(argv)
    times: list[float] = []
    with sandbox_project("shipit-status-bench-") as (folder, state):
        alb = state["alb_url"]
        for _ in range(50):
            urllib.request.urlopen(f"{alb}/api/health", timeout=10).read()
        time.sleep(2.5)  # the publisher flushes every second
        load = os.getloadavg()[0]
        series = 0
        for _ in range(args.runs):
            began = time.perf_counter()
            done = user_shipit(folder, "--env", "sandbox", "--json", "status")
            times.append(time.perf_counter() - began)
            if done.returncode != 0:
                raise SystemExit(f"status failed: {done.stderr}")
            metrics = json.loads(done.stdout)["metrics"]["series"]
            series = sum(1 for s in metrics.values() if s["values"])
        load_end = os.getloadavg()[0]
    median = statistics.median(times)
    verdict = "met" if median <= 1.5 else "NOT met"
    head = head_commit()
    section = f"""{SECTION}

Measured {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}, 2 CPUs, load average {load:.1f} at
the start and {load_end:.1f} at the end, commit {head}. The default path: `shipit sandbox up` in a
folder holding a copy of shipit.toml, no SHIPIT_* variable, 50 requests through the ALB stand-in,
then `shipit --env sandbox status --json`, each a whole process ({series} of 7 metric series had
points). Command:

```sh
.venv/bin/python bench/status.py --record
```

| runs | median | min | max | target |
|---|---|---|---|---|
| {len(times)} | {median:.3f} s | {min(times):.3f} s | {max(times):.3f} s | <= 1.5 s: {verdict} |
"""
    print(section)
    if args.record:
        record_section(SECTION, section)
    return 0 if median <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
