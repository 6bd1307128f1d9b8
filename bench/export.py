"""Export benchmark: `shipit export` on the sandbox (median of N whole-process runs), the
template's size, cfn-lint's time on it, and checkov's failed checks against the documented list.

Usage (from the repository root):

    .venv/bin/python bench/export.py             # measure and print
    .venv/bin/python bench/export.py --record    # ... and write the "export" section of
                                                 # docs/benchmarks.md (other sections are kept)

One sandbox (`shipit sandbox up`, then `shipit dns` so the alias exists), one warm-up, then N
runs of `python -m shipit --env sandbox export -o FILE --force --json` as a whole process
(interpreter start, imports, discovery, the concurrent reads, the template). Beside them, in the
same minutes, N runs of `python -m shipit --help` (the process floor) and N runs of `cfn-lint
FILE` (a whole process, like a user or CI runs it). checkov runs once from .venv-checkov: a
failed check missing from docs/commands/export.md fails the benchmark (exit 1).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.deploy_verdict import clean_env, shipit  # noqa: E402 - after the path setup
from bench.report import record_section  # noqa: E402

SECTION = "## export"
CFN_LINT = ROOT / ".venv" / "bin" / "cfn-lint"
CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"
DOC = ROOT / "docs" / "commands" / "export.md"


def timed(runs: int, run: Callable[[], subprocess.CompletedProcess[str]],
          ok: Callable[[int], bool] = lambda code: code == 0) -> list[float]:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        done = run()
        times.append(time.perf_counter() - began)
        if not ok(done.returncode):
            raise RuntimeError(f"failed ({done.returncode}): {done.stdout[-2000:]}"
                               f" {done.stderr[-2000:]}")
    return times


def checkov_failed(template: Path) -> list[str]:
    if not CHECKOV.exists():
        return ["(checkov not installed: scripts/test makes .venv-checkov)"]
    done = subprocess.run([str(CHECKOV), "-f", str(template), "--framework", "cloudformation",
                           "--quiet", "--compact", "-o", "json"], capture_output=True, text=True,
                          check=False, timeout=600)
    report = json.loads(done.stdout)
    report = report[0] if isinstance(report, list) else report
    return sorted({c["check_id"] for c in report["results"]["failed_checks"]})


def measure(runs: int) -> dict[str, object]:
    root = Path(tempfile.mkdtemp(prefix="shipit-bench-export-"))
    shutil.copy(ROOT / "shipit.toml", root / "shipit.toml")
    env = clean_env()
    template = root / "stack.yaml"
    try:
        for step in (("sandbox", "up"), ("--env", "sandbox", "dns")):
            done = shipit(root, env, *step)
            if done.returncode != 0:
                raise RuntimeError(f"{' '.join(step)}: {done.stderr}")
        export = ("--env", "sandbox", "export", "-o", str(template), "--force", "--json")
        shipit(root, env, *export)  # warm-up
        floor = timed(runs, lambda: shipit(root, env, "--help"))
        exports = timed(runs, lambda: shipit(root, env, *export))
        # cfn-lint's exit code is a bit mask: 2 errors, 4 warnings, 8 informational
        lints = timed(runs, lambda: subprocess.run(
            [str(CFN_LINT), str(template), "--regions", "us-east-1"], capture_output=True,
            text=True, check=False, timeout=300), ok=lambda code: code < 16 and not code & 2)
        report = json.loads(shipit(root, env, *export).stdout)
        return {"floor": floor, "exports": exports, "lints": lints,
                "bytes": template.stat().st_size, "resources": len(report["resources"]),
                "checkov": checkov_failed(template)}
    finally:
        shipit(root, env, "sandbox", "down")
        shutil.rmtree(root, ignore_errors=True)


def documented_checks() -> set[str]:
    return set(re.findall(r"\| `(CKV_AWS_\d+)`", DOC.read_text(encoding="utf-8")))


def render(found: dict[str, object], command: str) -> str:
    def row(what: str, times: list[float]) -> str:
        return (f"| {what} | {len(times)} | {statistics.median(times):.3f} s |"
                f" {min(times):.3f} s | {max(times):.3f} s |")

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    checks = found["checkov"]
    assert isinstance(checks, list)
    undocumented = sorted(set(checks) - documented_checks())
    return "\n".join([
        SECTION, "",
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()} Linux, Python"
        f" {platform.python_version()}, load average {load} (other engineers' work was running:"
        " compare the rows with each other, measured in the same minutes). Command:", "",
        "```sh", command, "```", "",
        "| what (whole process) | runs | median | min | max |",
        "|---|---|---|---|---|",
        row("`shipit --help` (the process floor)", found["floor"]),  # type: ignore[arg-type]
        row("`shipit --env sandbox export -o stack.yaml --force --json`",
            found["exports"]),  # type: ignore[arg-type]
        row("`cfn-lint stack.yaml --regions us-east-1`",
            found["lints"]),  # type: ignore[arg-type]
        "",
        f"The sandbox's template: {found['resources']} resources, {found['bytes']:,} bytes."
        f" checkov's failed checks on it: {', '.join(checks) or 'none'}"
        + (f"; NOT documented: {', '.join(undocumented)}" if undocumented else
           " (each listed with its reason in docs/commands/export.md)") + ".",
        "",
    ])


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="measured runs (default 5)")
    parser.add_argument("--record", action="store_true", help="write docs/benchmarks.md")
    options = parser.parse_args()
    found = measure(options.runs)
    section = render(found, ".venv/bin/python bench/export.py --record")
    print(section)
    if options.record:
        record_section(SECTION, section)
    checks = found["checkov"]
    assert isinstance(checks, list)
    return 1 if set(checks) - documented_checks() else 0


if __name__ == "__main__":
    sys.exit(main())
