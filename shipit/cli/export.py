"""`shipit export --format cloudformation`: the running stack as a CloudFormation template."""

from __future__ import annotations

from pathlib import Path

import typer

from shipit.cli.context import get_context
from shipit.cli.options import EnvOption, JsonOption

HELP = """Write the environment's running stack as a CloudFormation template (YAML).

Reads the stack the way `init --from-aws` does (service -> task definition -> target group ->
ALB -> alias record, the database, the [web] bucket) and writes security groups referencing each
other, the ALB with its listeners, rules and health checks, the ECS cluster, task definition
(image as a parameter) and service, least-privilege roles, the log group, the RDS instance and
its subnet group, the Route53 alias and the website bucket. No secret value is ever written.
The network is parameters unless --include-network. Without -o the template goes to stdout;
an existing file is never replaced without --force (exit 2).

Example: shipit --env prod export --format cloudformation -o stack.yaml --for-import
"""


def export_command(
    ctx: typer.Context,
    fmt: str = typer.Option("cloudformation", "--format", metavar="FORMAT",
                            help="The template language (cloudformation)."),
    output: Path | None = typer.Option(None, "--output", "-o", metavar="FILE",
                                       help="Write the template here (default: stdout)."),
    include_network: bool = typer.Option(False, "--include-network",
                                         help="Write the VPC, subnets, gateways, route tables"
                                         " and ACLs too (default: parameters)."),
    for_import: bool = typer.Option(False, "--for-import",
                                    help="Retain policies + FILE.import.json for a change set"
                                    " of type IMPORT (adopt the live resources in place)."),
    force: bool = typer.Option(False, "--force", help="Replace existing files."),
    env: EnvOption = None,
    json_output: JsonOption = False,
) -> None:
    from shipit import local_stand_in
    from shipit.export.run import ExportOptions, check_request, run

    app = get_context(ctx, env=env, json_output=json_output)
    check_request(fmt, output, for_import=for_import, include_network=include_network,
                  force=force)
    options = ExportOptions(env=app.env, output=output, include_network=include_network,
                            for_import=for_import, force=force)
    result = run(app.settings, app.aws, options,
                 local=local_stand_in.addresses(app.config.root, app.aws.endpoint_url))
    for moved in result.template.moved:
        app.output.warn(f"{moved.container}: {moved.variable} looked secret ({moved.reason}):"
                        f" now the NoEcho parameter {moved.parameter}, without a default")
    for item in result.template.unsupported:
        app.output.warn(f"not exported: {item.what} ({item.where}): {item.why}")
    if app.output.json_mode:
        app.output.write_json(result.to_dict())
        return
    if output is None:
        typer.echo(result.text, nl=False)
        return
    app.output.success(f"wrote {output} ({len(result.template.resources)} resources,"
                       f" {len(result.text.encode())} bytes)")
    if result.imports_path:
        app.output.info(f"resources to import: {result.imports_path}; then:")
        for command in result.commands:
            app.output.info(f"  {command}")


def register(app: typer.Typer) -> None:
    app.command("export", help=HELP)(export_command)
