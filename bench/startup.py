"""Startup benchmark: `shipit --version` and `shipit --help` against `aws --version`.

Usage (from the repository root):

    .venv/bin/python bench/startup.py            # measure, print, exit 1 if a target is missed
    .venv/bin/python bench/startup.py --record   # ... and write the "startup" section of
                                                 # docs/benchmarks.md (other sections are kept)

The AWS CLI (v1, from PyPI) is installed into its own venv, bench/.venv-peers, never into the
project's venv. All three commands are measured in the same hyperfine run (no shell, warm-up
runs first); without hyperfine a plain subprocess loop measures the same medians.
Targets: each shipit median <= 0.12 s and <= 0.35x the median of `aws --version`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import record_section  # noqa: E402 - after the path setup

PEERS = ROOT / "bench" / ".venv-peers"
SECTION = "## startup"
TARGET_SECONDS = 0.12
TARGET_RATIO = 0.35
RUNS = 40
WARMUP = 5


@dataclass(frozen=True)
class Measurement:
    command: str
    median: float
    runs: int
    cpu: float | None = None  # mean user+system seconds: barely moved by a busy machine


def ensure_aws_cli() -> Path:
    """bench/.venv-peers/bin/aws, installing awscli there on first use."""
    aws = PEERS / "bin" / "aws"
    if not aws.exists():
        print(f"installing awscli into {PEERS.relative_to(ROOT)} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(PEERS)], check=True)
        subprocess.run(
            [str(PEERS / "bin" / "python"), "-m", "pip", "install", "-q", "awscli"], check=True
        )
    return aws


def commands(aws: Path) -> list[str]:
    shipit = ROOT / ".venv" / "bin" / "shipit"
    return [f"{shipit} --version", f"{shipit} --help", f"{aws} --version"]


def measure_hyperfine(cmds: list[str]) -> list[Measurement]:
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / "startup.json"
        subprocess.run(
            ["hyperfine", "-N", "--warmup", str(WARMUP), "--runs", str(RUNS),
             "--export-json", str(export), *cmds],
            check=True, stdout=sys.stderr,
        )  # fmt: skip
        results = json.loads(export.read_text())["results"]
    return [
        Measurement(r["command"], float(r["median"]), len(r["times"]), r["user"] + r["system"])
        for r in results
    ]


def measure_loop(cmds: list[str]) -> list[Measurement]:
    times: dict[str, list[float]] = {cmd: [] for cmd in cmds}
    for round_ in range(WARMUP + RUNS):
        for cmd in cmds:  # interleaved, so load on the machine hits all commands alike
            start = time.perf_counter()
            subprocess.run(cmd.split(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if round_ >= WARMUP:
                times[cmd].append(time.perf_counter() - start)
    return [Measurement(cmd, statistics.median(values), RUNS) for cmd, values in times.items()]


def verdicts(results: list[Measurement]) -> list[tuple[Measurement, float, bool]]:
    """Each shipit measurement with its ratio to `aws --version` and whether it meets both."""
    aws = results[-1].median
    return [(m, m.median / aws, m.median <= TARGET_SECONDS and m.median / aws <= TARGET_RATIO)
            for m in results[:-1]]  # fmt: skip


def format_section(results: list[Measurement], tool: str, command_line: str) -> str:
    aws_version = subprocess.run(
        results[-1].command.split(), capture_output=True, text=True, check=False
    )
    peer = (aws_version.stdout or aws_version.stderr).strip().split(" ")[0]
    rows = [
        "| command | median (wall) | vs `aws --version` | CPU (user+sys, mean) |"
        " target (<= 0.12 s and <= 0.35x) |",
        "|---|---|---|---|---|",
    ]
    for m, ratio, ok in verdicts(results):
        name = "shipit " + m.command.split(" ", 1)[1]
        rows.append(
            f"| `{name}` | {m.median:.3f} s | {ratio:.2f}x | {_cpu(m)} |"
            f" {'met' if ok else 'MISSED'} |"
        )
    aws = results[-1]
    rows.append(
        f"| `aws --version` ({peer}) | {aws.median:.3f} s | 1.00x | {_cpu(aws)} | reference |"
    )
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return "\n".join(
        [
            SECTION,
            "",
            f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()} Linux, Python"
            f" {platform.python_version()}, {os.cpu_count()} CPUs, load average {load} at the"
            f" end; {tool}, {results[0].runs} runs each after warm-up, all three in the same"
            " run. Command:",
            "",
            "```sh",
            command_line,
            "```",
            "",
            *rows,
            "",
            "`--version` is answered by `shipit.cli.entry` before Typer is imported; `--help`"
            " imports Typer and the command modules but not boto3, pydantic or Rich"
            " (tests/core/test_startup.py checks the imports, not the time). On a busy"
            " machine every wall time inflates (an earlier run at load 7 on 2 CPUs: 0.254 s,"
            " 0.581 s, 2.282 s): compare the ratio and the CPU column.",
            "",
        ]
    )


def _cpu(measurement: Measurement) -> str:
    return "n/a" if measurement.cpu is None else f"{measurement.cpu:.3f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", action="store_true", help="write docs/benchmarks.md")
    options = parser.parse_args()
    cmds = commands(ensure_aws_cli())
    use_hyperfine = shutil.which("hyperfine") is not None
    results = measure_hyperfine(cmds) if use_hyperfine else measure_loop(cmds)
    tool = "hyperfine" if use_hyperfine else "a subprocess loop"
    section = format_section(results, tool, ".venv/bin/python bench/startup.py --record")
    print(section)
    if options.record:
        record_section(SECTION, section)
    return 0 if all(ok for _, _, ok in verdicts(results)) else 1


if __name__ == "__main__":
    sys.exit(main())
