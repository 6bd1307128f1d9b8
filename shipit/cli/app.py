"""The shipit command line: global options and the command groups. No boto3 import here."""

from __future__ import annotations

import typer

from shipit import __version__

app = typer.Typer(
    name="shipit",
    help="Take a containerized backend from a laptop to AWS, and prove every step works.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"shipit {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_options(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Take a containerized backend from a laptop to AWS, and prove every step works."""


def main() -> None:
    app()
