"""Browser e2e benchmark: the wall time of `shipit e2e --browser` on the sandbox (median of 5).

Usage (from the repository root):

    .venv/bin/python bench/browser_e2e.py                # measure and print
    .venv/bin/python bench/browser_e2e.py --record       # ... write the "e2e --browser" section
                                                         # of docs/benchmarks.md
    .venv/bin/python bench/browser_e2e.py --screenshot docs/img/frontend-search.png

One sandbox (`shipit sandbox up`, `shipit --env sandbox web deploy`), one warm-up run, then N
runs of `python -m shipit --env sandbox e2e --browser --json` as a whole process: interpreter
start, imports, Playwright's driver, a headless Chromium launch, the five steps (open, create,
stored, search, cors) with a full-page screenshot after each, the browser's exit. Every run
must pass; the report's own per-step times are kept too.
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

SECTION = "## e2e --browser"
STEPS = ("open", "create", "stored", "search", "cors")


def measure(runs: int, screenshot: Path | None) -> tuple[list[float], dict[str, list[float]]]:
    root = Path(tempfile.mkdtemp(prefix="shipit-bench-browser-"))
    shutil.copy(ROOT / "shipit.toml", root / "shipit.toml")
    shutil.copytree(ROOT / "sample_frontend", root / "sample_frontend")
    env = clean_env()
    try:
        for step in (("sandbox", "up"), ("--env", "sandbox", "web", "deploy")):
            done = shipit(root, env, *step)
            if done.returncode != 0:
                raise RuntimeError(f"{' '.join(step)}: {done.stderr}")
        shipit(root, env, "--env", "sandbox", "e2e", "--browser", "--json")  # warm-up
        times: list[float] = []
        steps: dict[str, list[float]] = {name: [] for name in ("browser", *STEPS)}
        for _ in range(runs):
            began = time.perf_counter()
            done = shipit(root, env, "--env", "sandbox", "e2e", "--browser", "--json")
            times.append(time.perf_counter() - began)
            if done.returncode != 0:
                raise RuntimeError(f"e2e --browser failed on the sandbox: {done.stdout}")
            report = json.loads(done.stdout)
            steps["browser"].append(report["seconds"])
            for step in report["steps"]:
                steps[step["step"]].append(step["latency_ms"] / 1000)
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(root / ".shipit" / "e2e" / "04-search.png", screenshot)
        return times, steps
    finally:
        shipit(root, env, "sandbox", "down")
        shutil.rmtree(root, ignore_errors=True)


def render(times: list[float], steps: dict[str, list[float]], command: str) -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    rows = [f"| `shipit --env sandbox e2e --browser --json` (whole process) | {len(times)} |"
            f" {statistics.median(times):.3f} s | {min(times):.3f} s | {max(times):.3f} s |"]
    labels = {"browser": "Playwright started, Chromium launched, five steps, screenshots,"
                         " closed (the report's `seconds`)"}
    rows += [f"| {labels.get(name, f'step `{name}` (its screenshot not included)')} |"
             f" {len(values)} | {statistics.median(values):.3f} s | {min(values):.3f} s |"
             f" {max(values):.3f} s |" for name, values in steps.items() if values]
    return "\n".join([
        SECTION,
        "",
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()} Linux, Python"
        f" {platform.python_version()}, Debian's Chromium driven by Playwright, load average"
        f" {load}. Command:",
        "",
        "```sh",
        command,
        "```",
        "",
        "| what | runs | median | min | max |",
        "|---|---|---|---|---|",
        *rows,
        "",
        "The path measured: the page from the sandbox's S3 website endpoint stand-in, the API"
        " through the ALB proxy (two loopback origins, so the browser applies CORS), one"
        " warm-up run first. The whole process adds Python's start and imports and"
        " Playwright's driver (a Node process) starting. On a loaded machine (the load average"
        " above) the spread is wide: Chromium's launch and the screenshots are CPU-bound.",
        "",
    ])


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="measured runs (default 5)")
    parser.add_argument("--record", action="store_true", help="write docs/benchmarks.md")
    parser.add_argument("--screenshot", type=Path, default=None,
                        help="copy the last run's search screenshot here")
    options = parser.parse_args()
    times, steps = measure(options.runs, options.screenshot)
    section = render(times, steps, ".venv/bin/python bench/browser_e2e.py --record"
                     " --screenshot docs/img/frontend-search.png")
    print(section)
    if options.record:
        record_section(SECTION, section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
