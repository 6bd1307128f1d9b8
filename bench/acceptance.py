"""Acceptance benchmark: the wall time of `shipit report` and `shipit init --from-aws` on the
sandbox (whole processes).

Usage (from the repository root):

    .venv/bin/python bench/acceptance.py             # measure and print
    .venv/bin/python bench/acceptance.py --record    # ... and write the "acceptance report and
                                                     # adopt" section of docs/benchmarks.md

One sandbox (`shipit sandbox up`, then `shipit dns`), one warm-up run of each, then N runs of:
`shipit --env sandbox report --json` (doctor's snapshot and checks, ECR tags and the pull check,
CloudWatch lines, one e2e run), `... report --no-e2e --json`, and `shipit init --from-aws --env
adopted --dry-run --json` with AWS_ENDPOINT_URL at the sandbox's moto (discovery + the diff; the
write and its doctor run are not part of it). Each run's verdicts are kept: a fast wrong run shows.
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

SECTION = "## acceptance report and adopt"
CASES = {
    "report": ("--env", "sandbox", "report", "--json"),
    "report --no-e2e": ("--env", "sandbox", "report", "--no-e2e", "--json"),
    "init --from-aws --dry-run": ("init", "--from-aws", "--env", "adopted", "--dry-run",
                                  "--json"),
}


def measure(runs: int) -> dict[str, tuple[list[float], str]]:
    root = Path(tempfile.mkdtemp(prefix="shipit-bench-acceptance-"))
    shutil.copy(ROOT / "shipit.toml", root / "shipit.toml")
    env = clean_env()
    results: dict[str, tuple[list[float], str]] = {}
    try:
        for step in (("sandbox", "up"), ("--env", "sandbox", "dns")):
            done = shipit(root, env, *step)
            if done.returncode != 0:
                raise RuntimeError(f"{' '.join(step)}: {done.stderr}")
        state = json.loads((root / ".shipit" / "sandbox" / "state.json").read_text())
        adopt_env = {**env, "AWS_ENDPOINT_URL": state["endpoint_url"]}
        for name, args in CASES.items():
            run_env = adopt_env if name.startswith("init") else env
            shipit(root, run_env, *args)  # warm-up
            times: list[float] = []
            verdicts: set[str] = set()
            for _ in range(runs):
                began = time.perf_counter()
                done = shipit(root, run_env, *args)
                times.append(time.perf_counter() - began)
                if done.returncode != 0:
                    raise RuntimeError(f"{name} failed on the sandbox: {done.stderr[-2000:]}")
                document = json.loads(done.stdout)
                verdicts.add(_verdict(document))
            results[name] = (times, "; ".join(sorted(verdicts)))
        return results
    finally:
        shipit(root, env, "sandbox", "down")
        shutil.rmtree(root, ignore_errors=True)


def _verdict(document: dict[str, object]) -> str:
    if "deliverables" in document:
        found = document["deliverables"]
        assert isinstance(found, list)
        return ", ".join(f"{d['id']} {d['verdict']}" for d in found)
    values = document.get("values")
    return f"{len(values) if isinstance(values, list) else 0} values discovered"


def render(results: dict[str, tuple[list[float], str]], command: str) -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        SECTION, "",
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()} Linux, Python"
        f" {platform.python_version()}, load average {load}. Command:", "",
        "```sh", command, "```", "",
        "| what (whole process, on the sandbox) | runs | median | min | max |",
        "|---|---|---|---|---|",
    ]
    for name, (times, _) in results.items():
        lines.append(f"| `shipit {name} --json` | {len(times)} | {statistics.median(times):.3f} s"
                     f" | {min(times):.3f} s | {max(times):.3f} s |")
    lines += ["", "What every run judged (one line per distinct result):", ""]
    lines += [f"- `{name}`: {verdicts}" for name, (_, verdicts) in results.items()]
    lines.append("")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="measured runs (default 5)")
    parser.add_argument("--record", action="store_true", help="write docs/benchmarks.md")
    options = parser.parse_args()
    section = render(measure(options.runs), ".venv/bin/python bench/acceptance.py --record")
    print(section)
    if options.record:
        record_section(SECTION, section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
