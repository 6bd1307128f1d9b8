"""The ``shipit`` executable. ``shipit --version`` answers before Typer is even imported."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    """Run shipit and exit with its documented exit code (docs/commands/README.md, "Exit codes")."""
    args = sys.argv[1:] if argv is None else argv
    if args == ["--version"]:
        from shipit import __version__

        sys.stdout.write(f"shipit {__version__}\n")
        sys.exit(0)
    from shipit.cli.app import run
    from shipit.process_start import finish, prepare

    prepare()
    finish(run(args))
