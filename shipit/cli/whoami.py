"""`shipit whoami`: the AWS identity, account, region and endpoint shipit would use."""

from __future__ import annotations

import typer

from shipit.cli.context import get_context
from shipit.cli.options import EnvOption, JsonOption


def register(app: typer.Typer) -> None:
    app.command("whoami")(whoami)


def whoami(ctx: typer.Context, env: EnvOption = None, json_output: JsonOption = False) -> None:
    """Show the AWS account, identity, region and endpoint shipit calls (sts:GetCallerIdentity).

    Proves the whole chain works: config, profile or SSO or assumed role, region, endpoint.

    Example: shipit --env prod whoami
    """
    from shipit.aws.identity import caller_identity, format_identity

    app = get_context(ctx, env=env, json_output=json_output)
    identity = caller_identity(app.aws)
    app.output.result(
        {"identity": identity.to_dict()},
        human=lambda console: console.print(format_identity(identity), markup=False),
    )
