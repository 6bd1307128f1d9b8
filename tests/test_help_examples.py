"""Every command's --help shows an example ("Example:" line), including commands added later.

The test walks the whole Typer app (groups, commands, subcommands: tests/docs_help.py's walk),
renders each --help through the real entry point, and names every command whose help has no
example.
"""

from __future__ import annotations

import re

from tests.docs_help import command_paths
from tests.fixtures.cli import run_cli

EXAMPLE = re.compile(r"^\s*Examples?:", re.MULTILINE)


def test_the_walk_finds_the_core_commands() -> None:
    paths = {" ".join(path) for path in command_paths()}
    assert {"", "config", "config show", "config diff", "config validate", "whoami"} <= paths


def test_every_command_help_has_an_example() -> None:
    missing: list[str] = []
    for path in command_paths():
        result = run_cli([*path, "--help"])
        assert result.exit_code == 0, f"shipit {' '.join(path)} --help: {result.stderr}"
        if not EXAMPLE.search(result.stdout):
            missing.append(" ".join(["shipit", *path]))
    assert not missing, (
        "add an 'Example: shipit ...' line to the docstring (or help=) of: " + ", ".join(missing)
    )
