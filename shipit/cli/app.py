"""The shipit command line: global options and the command groups. No boto3 import here."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from shipit import __version__
from shipit.cli.context import AppContext
from shipit.errors import EXIT_INTERRUPTED, ShipitError
from shipit.output import Output

app = typer.Typer(
    name="shipit",
    help="Take a containerized backend from a laptop to AWS, and prove every step works.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"shipit {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_options(
    ctx: typer.Context,
    env: str | None = typer.Option(
        None, "--env", "-e", help="Environment from shipit.toml [env.NAME] (or SHIPIT_ENV)."
    ),
    config: Path | None = typer.Option(
        None, "--config", "-c", help="Path to shipit.toml (default: nearest one upwards)."
    ),
    profile: str | None = typer.Option(
        None, "--profile", help="AWS profile (overrides aws.profile)."
    ),
    region: str | None = typer.Option(
        None, "--region", help="AWS region (overrides aws.region)."
    ),
    json_output: bool = typer.Option(
        False, "--json", help="Print exactly one JSON document on stdout; logs go to stderr."
    ),
    verbose: int = typer.Option(0, "--verbose", "-v", count=True, help="More detail (repeatable)."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Take a containerized backend from a laptop to AWS, and prove every step works.

    Example: shipit --env staging deploy
    """
    ctx.obj = AppContext(
        env_option=env,
        config_option=config,
        profile=profile,
        region=region,
        json_mode=json_output,
        verbose=verbose,
        output=Output(json_mode=json_output, verbose=verbose),
    )
    _LAST_CONTEXT[:] = [ctx.obj]


def _register_commands() -> None:
    """Each command module adds itself to ``app``; modules must not import boto3 at top level."""
    from shipit.cli import commands

    commands.register(app)


def report_error(error: ShipitError, output: Output) -> None:
    """Say what went wrong on stderr, and as the one JSON document when --json is on."""
    output.fail(error.message, error.hint)
    if output.json_mode and not output.result_written:
        output.write_json({"ok": False, "error": error.to_dict()})


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app, turn shipit errors into messages and documented exit codes.

    Typer (click) handles usage errors itself (exit 2) and exits the process; a ShipitError
    raised by a command propagates to here.
    """
    _register_commands()
    _LAST_CONTEXT.clear()
    try:
        app(args=argv, prog_name="shipit")
    except ShipitError as error:
        ctx_obj = _current_context_obj()
        args = sys.argv[1:] if argv is None else argv
        output = ctx_obj.output if ctx_obj else Output(json_mode="--json" in args)
        report_error(error, output)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(EXIT_INTERRUPTED)


_LAST_CONTEXT: list[AppContext] = []


def _current_context_obj() -> AppContext | None:
    return _LAST_CONTEXT[-1] if _LAST_CONTEXT else None
