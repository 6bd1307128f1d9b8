"""The shipit command line: global options, command registration and ``main()``.

No AWS SDK, pydantic or Rich import happens here: ``shipit --help`` and ``--version`` stay fast.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

import typer
from typer._click import Context
from typer.core import TyperGroup

from shipit import __version__
from shipit.cli.context import AppContext
from shipit.errors import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    InternalError,
    ShipitError,
    UsageError,
)
from shipit.output import Output

HELP = """Take a containerized backend from a laptop to AWS, and prove every step works.

\b
Examples:
  shipit config show --env prod       merged settings of prod, secrets redacted
  shipit config diff staging prod     exactly what differs between two environments
  shipit --json whoami                AWS account, identity, region and endpoint as JSON

\b
Environment: SHIPIT_ENV (default --env), AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL,
AWS_ENDPOINT_URL_<SERVICE>, NO_COLOR, FORCE_COLOR.
"""

EPILOG = (
    "Exit codes: 0 ok, 1 the checked/built/deployed thing failed, 2 usage or config error,"
    " 3 AWS or environment error, 70 internal error, 130 interrupted."
)



class WeekOrderGroup(TyperGroup):
    """The root command group, listing commands in the order of the week's work (build, push,
    deploy, ...: ``commands.HELP_ORDER``) rather than in the order modules registered them."""

    def list_commands(self, ctx: Context) -> list[str]:
        from shipit.cli.commands import help_position

        return sorted(super().list_commands(ctx), key=help_position)


app = typer.Typer(
    name="shipit",
    cls=WeekOrderGroup,
    help=HELP,
    epilog=EPILOG,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["--help", "-h"], "max_content_width": 100},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"shipit {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_options(
    ctx: typer.Context,
    env: str | None = typer.Option(
        None,
        "--env",
        "-e",
        metavar="NAME",
        help="Environment from shipit.toml [env.NAME] (default: SHIPIT_ENV, else the base).",
    ),
    config: Path | None = typer.Option(
        None,
        "--config",
        "-c",
        metavar="PATH",
        help="Path to shipit.toml (default: the nearest one in this or a parent folder).",
    ),
    profile: str | None = typer.Option(
        None, "--profile", metavar="NAME", help="AWS profile (overrides aws.profile)."
    ),
    region: str | None = typer.Option(
        None, "--region", metavar="REGION", help="AWS region (overrides aws.region)."
    ),
    json_output: bool = typer.Option(
        False, "--json", help="Print exactly one JSON document on stdout; logs go to stderr."
    ),
    verbose: int = typer.Option(
        0, "--verbose", "-v", count=True, show_default=False, help="More detail (repeatable)."
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Take a containerized backend from a laptop to AWS, and prove every step works.

    Example: shipit --env staging config show
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
    """Each command module adds itself to ``app``; none imports the AWS SDK at top level."""
    from shipit.cli import commands

    commands.register(app)


def report_error(error: ShipitError, output: Output) -> None:
    """Say what went wrong on stderr, and as the one JSON document when --json is on."""
    output.fail(error.message, error.hint)
    if output.json_mode and not output.result_written:
        output.write_json({"ok": False, "error": error.to_dict()})


def run(argv: Sequence[str]) -> int:
    """Run the CLI on ``argv`` and return the exit code (``shipit.cli.entry.main`` exits with it).

    Usage errors (click's), shipit errors and unexpected exceptions all end here as a message
    on stderr plus, with --json, one ``{"ok": false, "error": ...}`` document on stdout.
    """
    from typer._click.exceptions import ClickException
    from typer._click.exceptions import UsageError as ClickUsageError

    args = list(argv)
    _LAST_CONTEXT.clear()
    try:
        code = app(args=args, prog_name="shipit", standalone_mode=False)
    except ShipitError as error:
        report_error(error, _output_for(args))
        return error.exit_code
    except ClickUsageError as error:
        output = _output_for(args)
        if output.json_mode:
            report_error(UsageError(error.format_message(), hint=_usage_hint(error)), output)
        else:
            error.show()
        return EXIT_USAGE
    except ClickException as error:
        report_error(UsageError(error.format_message()), _output_for(args))
        return error.exit_code
    except typer.Abort:  # a declined confirmation, or end of input at a prompt
        sys.stderr.write("aborted\n")
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bug: keep the traceback, still honour the JSON contract
        output = _output_for(args)
        output.raw_error(traceback.format_exc())
        internal = InternalError(
            f"unexpected {type(exc).__name__}: {exc}",
            hint="this is a bug in shipit; please report it with the traceback above",
        )
        report_error(internal, output)
        return internal.exit_code
    return code if isinstance(code, int) else EXIT_OK


def _output_for(args: list[str]) -> Output:
    ctx_obj = _LAST_CONTEXT[-1] if _LAST_CONTEXT else None
    if ctx_obj is not None:
        return ctx_obj.output
    options = args[: args.index("--")] if "--" in args else args
    return Output(json_mode="--json" in options)


def _usage_hint(error: Exception) -> str:
    ctx = getattr(error, "ctx", None)
    command = ctx.command_path if ctx is not None else "shipit"
    return f"run `{command} --help` for usage and an example"


_LAST_CONTEXT: list[AppContext] = []

_register_commands()
