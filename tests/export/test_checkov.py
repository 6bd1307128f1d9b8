"""checkov over an exported template: every check it fails is one docs/commands/export.md lists
with why it stays (the template writes the stack as it runs). checkov lives in its own venv,
.venv-checkov, made by scripts/test, which `make test` runs (checkov pins an older boto3)."""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

from tests.export.documented import DOC
from tests.fixtures.cli import run_cli
from tests.fixtures.reference_stack import ReferenceStack

CHECKOV_VENV = Path(__file__).resolve().parents[2] / ".venv-checkov"
CHECKOV = CHECKOV_VENV / "bin" / "checkov"
INSTALLING = CHECKOV_VENV.with_name(".venv-checkov.installing")
"""scripts/test installs checkov while the suite runs; this file exists until it is done."""


def wait_for_checkov(limit: float = 900.0) -> None:
    deadline = time.monotonic() + limit
    while INSTALLING.exists() and time.monotonic() < deadline:
        time.sleep(1.0)
    assert not INSTALLING.exists(), f"checkov still installing after {limit:.0f} s"
    assert CHECKOV.exists(), ("checkov is missing: `make test` makes .venv-checkov (see"
                              " .venv-checkov.log)")


def failed_checks(template: Path) -> set[str]:
    wait_for_checkov()
    done = subprocess.run([str(CHECKOV), "-f", str(template), "--framework", "cloudformation",
                           "--quiet", "--compact", "-o", "json"], capture_output=True, text=True,
                          check=False, timeout=600)
    report = json.loads(done.stdout)
    report = report[0] if isinstance(report, list) else report
    return {check["check_id"] for check in report["results"]["failed_checks"]}


def test_every_failed_check_is_listed_with_its_reason(reference_stack: ReferenceStack) -> None:
    template = reference_stack.root / "stack.yaml"
    result = run_cli(["--config", str(reference_stack.config_path), "--env", "test", "export",
                      "-o", str(template)], cwd=reference_stack.root)
    assert result.exit_code == 0, result.stderr
    listed = set(re.findall(r"\| `(CKV_AWS_\d+)`", DOC.read_text(encoding="utf-8")))
    failed = failed_checks(template)
    assert failed, "checkov failed nothing: the documented list is stale or checkov did not run"
    assert failed <= listed, f"undocumented checkov failures: {sorted(failed - listed)}"
