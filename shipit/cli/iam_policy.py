"""`shipit iam-policy [push|deploy|doctor|dns|web]`: print a least-privilege IAM policy."""

from __future__ import annotations

import json

import typer

from shipit.cli.context import get_context


def register(app: typer.Typer) -> None:
    app.command("iam-policy")(iam_policy_command)


def iam_policy_command(
    ctx: typer.Context,
    command: str | None = typer.Argument(
        None, metavar="[push|deploy|doctor|dns|web]",
        help="One command (default: push, deploy, doctor and dns)."
    ),
) -> None:
    """Print the IAM policy shipit needs, scoped to this environment's resources.

    Example: shipit --env prod iam-policy push > push-policy.json
    """
    from shipit.iam_policy import build_policy, policy_scope, select_commands, star_reasons

    app = get_context(ctx)
    commands = select_commands(command)
    policy = build_policy(commands, policy_scope(app.settings, app.aws, commands))
    for action, why in star_reasons(commands).items():
        app.output.info(f"Resource * for {action}: {why}")
    app.output.result(policy, human=lambda console: console.print(
        json.dumps(policy, indent=2), markup=False, highlight=False))
