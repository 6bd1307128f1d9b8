"""Where the test suite's time goes: each folder of tests/ run on its own, wall and CPU time.

Usage (from the repository root, as root so the CPU of every process a folder starts, daemons
included, is counted in a cgroup of its own; otherwise only wall time is shown):

    .venv/bin/python bench/suite.py                       # every folder, one at a time
    .venv/bin/python bench/suite.py tests/deploy tests/report
    .venv/bin/python bench/suite.py --record              # ... and write the "test suite"
                                                          # section of docs/benchmarks.md

Each folder runs as ``python -m pytest -q -p no:cacheprovider FOLDER`` under ``nice -n 10``
(the machine is shared), so its session fixtures (moto, the registry, the real build) are paid
once per folder, as in ``make test`` where they are paid once. CPU time that is much lower than
wall time is waiting (a sandbox's health checks, a circuit breaker): a loaded machine stretches
wall time, not CPU time. Never the whole suite at once: the folders one after another.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import record_section  # noqa: E402 - after the path setup

SECTION = "## test suite"
CPUACCT = Path("/sys/fs/cgroup/cpuacct")


@dataclass(frozen=True)
class Folder:
    name: str
    wall: float
    cpu: float | None
    load: float
    summary: str


def folders() -> list[str]:
    """tests/<folder> for each folder holding tests, then the top-level test files together."""
    tests = ROOT / "tests"
    found = sorted(f"tests/{p.name}" for p in tests.iterdir()
                   if p.is_dir() and any(p.glob("test_*.py")))
    return [*found, " ".join(sorted(f"tests/{p.name}" for p in tests.glob("test_*.py")))]


def run(target: str) -> Folder:
    """One folder in a cpuacct cgroup of its own when this process may make one."""
    group = CPUACCT / f"shipit-bench-{os.getpid()}"
    counted = os.geteuid() == 0 and CPUACCT.is_dir()
    command = ["nice", "-n", "10", sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
               *target.split()]
    if counted:
        group.mkdir()
    began = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, preexec_fn=(lambda: _join(group)) if counted else None)
    output, _ = process.communicate()
    wall = time.monotonic() - began
    cpu = None
    if counted:
        time.sleep(1)  # daemons a test stopped may still be leaving
        cpu = int((group / "cpuacct.usage").read_text()) / 1e9
        _release(group)
    lines = output.strip().splitlines()
    return Folder(target, wall, cpu, os.getloadavg()[0], lines[-1] if lines else "")


def _join(group: Path) -> None:
    (group / "cgroup.procs").write_text(str(os.getpid()))


def _release(group: Path) -> None:
    for pid in (group / "cgroup.procs").read_text().split():  # a process left behind: say so
        print(f"left running after the folder: pid {pid}", file=sys.stderr)
        (CPUACCT / "cgroup.procs").write_text(pid)
    group.rmdir()


def table(results: list[Folder]) -> str:
    rows = ["| folder | wall | CPU (all its processes) | load at the end | pytest says |",
            "|---|---|---|---|---|"]
    for r in results:
        cpu = f"{r.cpu / 60:.1f} min" if r.cpu is not None else "not counted"
        rows.append(f"| {r.name} | {r.wall / 60:.1f} min | {cpu} | {r.load:.1f} | {r.summary} |")
    wall = sum(r.wall for r in results)
    cpus = [r.cpu for r in results if r.cpu is not None]
    cpu_total = f"{sum(cpus) / 60:.1f} min" if len(cpus) == len(results) else ""
    rows.append(f"| **all** | **{wall / 60:.1f} min** | {cpu_total} | | |")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", help="folders to run (default: every one)")
    parser.add_argument("--record", action="store_true", help="write docs/benchmarks.md")
    args = parser.parse_args()
    results = []
    for target in args.folders or folders():
        results.append(run(target))
        print(table(results[-1:]).splitlines()[-2], flush=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True, check=False).stdout.strip()
    body = table(results)
    print(body)
    if args.record:
        when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        record_section(SECTION, f"{SECTION}\n\nMeasured {when} on {platform.machine()} Linux, "
                       f"{os.cpu_count()} CPUs, commit {commit}; one run per folder. Command:\n\n"
                       "```sh\n.venv/bin/python bench/suite.py --record\n```\n\n" + body + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
