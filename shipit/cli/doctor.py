"""`shipit doctor`: find every misconfiguration of the environment, each with its fix."""

from __future__ import annotations

import typer

from shipit.cli.context import get_context
from shipit.cli.options import EnvOption, JsonOption
from shipit.errors import EXIT_FAILED

HELP = """Check the environment end to end and say how to fix what is wrong.

Every check runs (read-only AWS calls, HTTP probes); exit 1 when any fails or errors.

Example: shipit --env staging doctor --check http.cors --check dns.alias
"""


def doctor(
    ctx: typer.Context,
    check: list[str] = typer.Option(
        [], "--check", metavar="ID", help="Run only this check id (repeatable); see --list-checks."
    ),
    list_checks: bool = typer.Option(False, "--list-checks", help="List the check ids and exit."),
    env: EnvOption = None,
    json_output: JsonOption = False,
) -> None:
    from shipit.doctor import diagnose

    app = get_context(ctx, env=env, json_output=json_output)
    output = app.output
    if list_checks:
        from shipit.doctor.render import print_checks
        from shipit.doctor.runner import select

        checks = select(check)
        output.result(
            {"checks": [{"id": c.id, "title": c.title} for c in checks]},
            lambda console: print_checks(console, checks),
        )
        return
    # diagnose refuses unknown ids before any AWS call, and imports the checks (and with them
    # the renderer's imports) while its reads are under way.
    findings = diagnose(app.config, app.env, app.aws, check)
    from shipit.doctor.render import print_findings, summary_line, to_json
    from shipit.doctor.runner import has_failures

    if output.json_mode:
        output.write_json(to_json(app.env, findings))  # the documented contract, exactly
    else:
        print_findings(output.out, app.env, findings)
    if has_failures(findings):
        output.fail(f"doctor: {summary_line(findings)}")
        raise typer.Exit(EXIT_FAILED)


def register(app: typer.Typer) -> None:
    app.command("doctor", help=HELP)(doctor)
