"""Run the shipit CLI in-process, as a user would, and capture exit code and both streams."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from shipit.cli.app import run


@dataclass(frozen=True)
class Result:
    exit_code: int
    stdout: str
    stderr: str


def run_shipit(capsys: pytest.CaptureFixture[str], *args: str) -> Result:
    capsys.readouterr()
    code = run(list(args))
    out, err = capsys.readouterr()
    return Result(code, out, err)
