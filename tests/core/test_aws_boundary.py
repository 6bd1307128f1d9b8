"""shipit/aws is the only place that talks to AWS: boto3, botocore and client factories
(``.client(``, ``Session(``) appear nowhere else, but in the sandbox's own client module
(shipit/sandbox/clients.py: the plug-in's clients of its own moto)."""

from __future__ import annotations

import re
from pathlib import Path

SHIPIT = Path(__file__).resolve().parents[2] / "shipit"
ALLOWED = (SHIPIT / "aws", SHIPIT / "sandbox" / "clients.py")
TALKS_TO_AWS = re.compile(r"\bboto3\b|\bbotocore\b|\.client\(|\bSession\(|\bresource\(")
TYPING_ONLY = re.compile(r"^\s*(from mypy_boto3_\w+|import mypy_boto3_\w+)")


def talkers(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        if any(path == allowed or path.is_relative_to(allowed) for allowed in ALLOWED):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if TALKS_TO_AWS.search(line) and not TYPING_ONLY.match(line):
                found.append(f"{path.relative_to(root.parent)}:{number}: {line.strip()}")
    return found


def test_only_shipit_aws_talks_to_aws() -> None:
    assert talkers(SHIPIT) == []


def test_the_rule_sees_every_kind_of_talk(tmp_path: Path) -> None:
    shipit = tmp_path / "product"
    shipit.mkdir()
    (shipit / "leaky.py").write_text(
        "import botocore.exceptions as bce\nimport boto3\nc = s.client('s3')\n"
        "x = Session(region_name='r')\nfrom mypy_boto3_s3 import S3Client\n", encoding="utf-8")
    assert [line.split(": ", 1)[0] for line in talkers(shipit)] == [
        "product/leaky.py:1", "product/leaky.py:2", "product/leaky.py:3", "product/leaky.py:4"]
