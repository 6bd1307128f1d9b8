"""Redaction benchmark: shipit.redact on 1 MB hostile inputs (linear time on any input).

Usage (from the repository root):

    .venv/bin/python bench/redact.py            # measure and print
    .venv/bin/python bench/redact.py --record   # ... and write the "redact: 1 MB inputs"
                                                # section of docs/benchmarks.md

Each input is redacted as free text (``Redactor.text``, what Output, logs and the sample
service use) and as a config value (``Redactor.data``), 5 runs each; median and range. The
reference: the redactor before issue 17 (commit b077596), on the same shapes cut to 32 KB, in
the same run (its time grows with the square of the length, so 1 MB would take hours).
Target: linear time. Each input is also measured at half the size, side by side: the 1 MB
time over the 0.5 MB time (fastest runs) is about 2 when linear, 4 when quadratic; the target
is under 3 for every input. (Absolute seconds move with the machine's load; that ratio does not.)
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import record_section  # noqa: E402 - after the path setup
from shipit.redact import Redactor  # noqa: E402

SECTION = "## redact: 1 MB inputs"
RUNS = 5
TARGET = 3.0
MB = 1 << 20
REFERENCE_COMMIT = "b077596"
REFERENCE_SIZE = 32 * 1024


def inputs(size: int) -> dict[str, str]:
    """Hostile texts of about ``size`` characters, named by what they stress."""
    return {
        "one long word": "a" * size,
        "URL, no @": "postgresql://u:" + "a" * size,
        "URL, an @ every 2nd char": "postgresql://u:" + "a@" * (size // 2),
        "'://' repeated": "a://" * (size // 4),
        "TOML assignment": 'DB_PW = "' + "x" * size + '"',
        "assignment name then spaces": "A" + " " * size,
        "NAME= repeated": "A=" * (size // 2),
        "JWT prefix repeated": "eyJa-" * (size // 5),
        "Bearer repeated": "Bearer " * (size // 7),
        "PEM header repeated": "-----BEGIN RSA PRIVATE KEY-----" * (size // 31),
        "escaped quotes in a value": 'API_TOKEN="' + '\\"' * (size // 2),
        "JSON-escaped assignments repeated": 'A=\\"' * (size // 4),
        "log lines with URLs": ("connect postgresql://u:s3@cr/t p%x@db:5432/a ok\n"
                                * (size // 48)),
    }


def timed(call: Callable[[], object]) -> list[float]:
    times = []
    for _ in range(RUNS):
        began = time.perf_counter()
        call()
        times.append(time.perf_counter() - began)
    return times


def reference_module() -> ModuleType | None:
    """shipit/redact.py as it was before issue 17, loaded from git (None outside a clone)."""
    done = subprocess.run(["git", "show", f"{REFERENCE_COMMIT}:shipit/redact.py"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return None
    path = Path(tempfile.mkdtemp()) / "redact_before.py"
    path.write_text(done.stdout, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("redact_before", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", action="store_true", help="write docs/benchmarks.md")
    args = parser.parse_args()
    redactor = Redactor(["known-secret-value"])
    before = reference_module()
    small = inputs(REFERENCE_SIZE)
    rows, missed = [], False
    halves = inputs(MB // 2)
    for name, text in inputs(MB).items():
        as_text = timed(lambda text=text: redactor.text(text))  # type: ignore[misc]
        as_value = timed(lambda text=text: redactor.data({"V": text}))  # type: ignore[misc]
        half = halves[name]
        half_text = timed(lambda half=half: redactor.text(half))  # type: ignore[misc]
        half_value = timed(lambda half=half: redactor.data({"V": half}))  # type: ignore[misc]
        # Fastest of the runs on both sides: what a loaded machine adds is noise, not cost.
        growth = max(min(as_text) / max(min(half_text), 0.005),
                     min(as_value) / max(min(half_value), 0.005))
        fast = max(statistics.median(as_text), statistics.median(as_value)) < 0.05
        ok = growth < TARGET or fast  # under 50 ms the ratio is timer noise
        missed |= not ok
        old = "n/a"
        if before is not None:
            began = time.perf_counter()
            before.Redactor().data({"V": small[name]})
            before.Redactor().text(small[name])
            old = f"{time.perf_counter() - began:.3f} s"
        rows.append(
            f"| {name} | {len(text) / MB:.2f} | {statistics.median(as_text):.3f} s"
            f" ({min(as_text):.3f}-{max(as_text):.3f}) | {statistics.median(as_value):.3f} s"
            f" ({min(as_value):.3f}-{max(as_value):.3f}) | {growth:.2f} | {old} |"
            f" {'met' if ok else 'MISSED'} |")
        print(rows[-1], flush=True)
    if args.record:
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        record_section(SECTION, "\n".join([
            SECTION, "",
            f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()} Linux, Python"
            f" {platform.python_version()}, {os.cpu_count()} CPUs shared with other engineers'"
            f" work (load average {load} at the end); in-process calls, {RUNS} runs per input."
            " Command:", "",
            "```sh", ".venv/bin/python bench/redact.py --record", "```", "",
            f"Path measured: `shipit.redact.Redactor.text` (free text: Output, `shipit logs`,"
            f" the sample service's log lines) and `Redactor.data` (a config value, `--json`,"
            f" receipts). Reference: the redactor of commit {REFERENCE_COMMIT} (before issue 17)"
            f" on the same input cut to {REFERENCE_SIZE // 1024} KB, text + data, one run, in"
            " the same process.", "",
            "| input | MB | text: median (range) | value: median (range) |"
            " 1 MB / 0.5 MB (fastest) |"
            f" before, {REFERENCE_SIZE // 1024} KB | target (growth < {TARGET:.0f}) |",
            "|---|---|---|---|---|---|---|", *rows,
        ]))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
