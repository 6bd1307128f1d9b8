"""shipit/aws is the only place that talks to AWS: no boto3 and no `.client(` anywhere else."""

from __future__ import annotations

import re
from pathlib import Path

SHIPIT = Path(__file__).resolve().parents[2] / "shipit"
TALKS_TO_AWS = re.compile(r"\bboto3\b|\.client\(")
TYPING_ONLY = re.compile(r"^\s*(from mypy_boto3_\w+|import mypy_boto3_\w+)")


def test_only_shipit_aws_talks_to_aws() -> None:
    found = []
    for path in sorted(SHIPIT.rglob("*.py")):
        if path.is_relative_to(SHIPIT / "aws"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if TALKS_TO_AWS.search(line) and not TYPING_ONLY.match(line):
                found.append(f"{path.relative_to(SHIPIT.parent)}:{number}: {line.strip()}")
    assert found == []
