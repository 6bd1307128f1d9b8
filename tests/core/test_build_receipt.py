"""The build receipt has one home (shipit.image.receipt): one path, one strict reader, and one
exit code (2, a usage error: run `shipit build`) for a receipt that is missing or unusable."""

from __future__ import annotations

import ast
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from shipit.errors import EXIT_USAGE, UsageError
from shipit.image.receipt import RECEIPT_PATH, read_receipt
from shipit.push import RECEIPT_PATH as PUSH_RECEIPT_PATH
from shipit.push.receipt import load_built_image

ROOT = Path(__file__).resolve().parents[2]
READERS: list[Callable[[Path], object]] = [read_receipt, load_built_image]


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize(("content", "message"), [
    (None, "no build receipt at"),
    (b"{", "is not valid JSON"),
    (b"\xff\xfe", "is not valid JSON"),
    (b"[]", "is not a shipit build receipt"),
    (b'{"schema": "other"}', "is not a shipit build receipt"),
    (b'{"schema": "shipit.build-receipt", "version": 2}', "is a version 2 receipt"),
    (b'{"schema": "shipit.build-receipt", "version": 1}', "not a valid build receipt"),
    (b'{"tag": "v1", "local_image": "x", "platforms": ["linux/amd64"]}',
     "is not a shipit build receipt"),
])
def test_every_reader_refuses_with_exit_2(tmp_path: Path, reader: Callable[[Path], object],
                                          content: bytes | None, message: str) -> None:
    path = tmp_path / "build-receipt.json"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(UsageError, match=message) as caught:
        reader(path)
    assert caught.value.exit_code == EXIT_USAGE
    assert caught.value.hint


def test_the_receipt_path_is_spelled_once() -> None:
    """Code that needs the path imports RECEIPT_PATH; only prose may spell it again."""
    assert PUSH_RECEIPT_PATH is RECEIPT_PATH
    assert Path(".shipit") / "build-receipt.json" == RECEIPT_PATH
    spelled = subprocess.run(["git", "grep", "-lF", '"build-receipt.json"', "--", "shipit"],
                             cwd=ROOT, capture_output=True, text=True, check=False).stdout.split()
    assert spelled == ["shipit/project_paths.py"]


def test_every_shipit_folder_path_is_spelled_once() -> None:
    """Code that needs a path under .shipit/ takes it from shipit.project_paths; prose (docstrings,
    comments, help texts that name a file) may spell it."""
    code = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "shipit").rglob("*.py")
                  if _builds_a_shipit_path(path))
    assert code == ["shipit/project_paths.py"]


def _builds_a_shipit_path(path: Path) -> bool:
    """Whether the code joins '.shipit' into a path: Path(".shipit") or x / ".shipit"."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        parts: list[ast.expr] = []
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id == "Path":
            parts = list(node.args)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            parts = [node.left, node.right]
        if any(isinstance(p, ast.Constant) and isinstance(p.value, str)
               and p.value.strip("/").startswith(".shipit") for p in parts):
            return True
    return False
