"""Fast start: `shipit --help`, `--version` and every command's --help never import boto3.

Checked in a fresh interpreter through sys.modules (``-X importtime`` does not see modules
loaded by importlib, which is how commands are registered). No timing is asserted here; the
benchmark is bench/startup.py.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.docs_help import command_paths

HEAVY = ("boto3", "botocore", "s3transfer")

PROBE = """
import atexit, contextlib, io, json, sys
from shipit.cli.entry import main
out = io.StringIO()

@atexit.register  # the entry point ends the process: what was loaded is told on the way out
def tell() -> None:
    loaded = sorted({name.split(".")[0] for name in sys.modules})
    sys.__stdout__.write(json.dumps({"stdout": out.getvalue(), "modules": loaded}) + "\\n")

with contextlib.redirect_stdout(out):
    main(json.loads(sys.argv[1]))
"""


def loaded_modules(args: list[str]) -> tuple[str, set[str]]:
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert completed.returncode in (0, 2), completed.stderr  # `shipit` alone: usage, exit 2
    result = json.loads(completed.stdout.splitlines()[-1])
    return result["stdout"], set(result["modules"])


@pytest.mark.parametrize("args", [["--version"], ["--help"], []])
def test_root_does_not_import_boto3(args: list[str]) -> None:
    _, modules = loaded_modules(args)
    assert not modules & set(HEAVY)


def test_version_imports_neither_typer_nor_pydantic_nor_rich() -> None:
    stdout, modules = loaded_modules(["--version"])
    assert stdout.startswith("shipit ")
    assert not modules & {"typer", "pydantic", "rich", *HEAVY}


def test_root_help_imports_neither_pydantic_nor_rich() -> None:
    stdout, modules = loaded_modules(["--help"])
    assert "Commands:" in stdout
    assert not modules & {"pydantic", "rich"}


SEQUENCE = """
import contextlib, io, json, sys
from shipit.cli.app import run
first = None
for args in json.loads(sys.argv[1]):
    with contextlib.redirect_stdout(io.StringIO()):
        run(args)
    if first is None and {m.split(".")[0] for m in sys.modules} & set(json.loads(sys.argv[2])):
        first = args
print(json.dumps(first))
"""


def test_no_command_help_imports_boto3() -> None:
    """One interpreter runs every --help in turn and names the first that loads boto3."""
    helps = [[*path, "--help"] for path in command_paths()]
    completed = subprocess.run(
        [sys.executable, "-c", SEQUENCE, json.dumps(helps), json.dumps(HEAVY)],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert completed.returncode in (0, 2), completed.stderr  # `shipit` alone: usage, exit 2
    first = json.loads(completed.stdout.splitlines()[-1])
    assert first is None, f"`shipit {' '.join(first)}` imports boto3 (import it inside the command)"
