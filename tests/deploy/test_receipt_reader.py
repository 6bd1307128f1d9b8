"""The deploy receipt's typed reader: what ``save`` writes reads back; nothing else passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from shipit.deploy.receipt import DeployReceipt, read_receipt, save
from shipit.errors import UsageError
from shipit.project_paths import DEPLOY_RECEIPT


def test_what_save_writes_reads_back(tmp_path: Path) -> None:
    receipt = DeployReceipt("articles", "api", "success", revision=7, image="r/a@sha256:1",
                            timings={"wait": 1.5})
    save(tmp_path, receipt)
    assert read_receipt(tmp_path / DEPLOY_RECEIPT) == receipt


def test_no_receipt_is_none(tmp_path: Path) -> None:
    assert read_receipt(tmp_path / "none.json") is None


@pytest.mark.parametrize("text", ["{", "[]", '{"cluster": "c"}',
                                  '{"cluster": 1, "service": "s", "outcome": "success"}'])
def test_anything_else_is_a_usage_error_naming_the_file(tmp_path: Path, text: str) -> None:
    path = tmp_path / "receipt.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError, match=r"receipt\.json"):
        read_receipt(path)
