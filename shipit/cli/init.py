"""`shipit init --from-aws`: adopt a stack clicked together in the console as an environment."""

from __future__ import annotations

import dataclasses
import sys
from typing import TYPE_CHECKING, Any

import typer

from shipit.cli.context import AppContext, get_context
from shipit.cli.options import JsonOption

if TYPE_CHECKING:

    from shipit.adopt.model import Choice, Found

HELP = """Write an [env.NAME] overlay of shipit.toml from a running ECS service, then run doctor.

Reads the service, its task definition (container, image, variables, secrets, platform, health
check), its target group (health path) -> ALB -> the Route53 record naming it (an alias or a
CNAME) -> http.url, and the RDS instance the tasks use (DATABASE_URL's host, else the
security-group path). Values are put in shipit.toml's spelling (an SSM name becomes its ARN, an
origin loses its trailing '/') and the new file is validated before anything is written; a
value it cannot hold exits 2 naming it. Shows the diff (secrets hidden) first; never replaces
an existing environment without --force. A choice is settled by its option, else by the value
the base of shipit.toml holds, else asked on a terminal, else exit 2 naming the option.

Example: shipit --region eu-west-1 init --from-aws --env prod --cluster web --service api --explain
"""


def init(
    ctx: typer.Context,
    from_aws: bool = typer.Option(False, "--from-aws", help="Discover the environment from AWS."),
    env: str | None = typer.Option(None, "--env", "-e", metavar="NAME",
                                   help="Name of the environment to write ([env.NAME])."),
    cluster: str | None = typer.Option(None, "--cluster", metavar="C", help="ECS cluster."),
    service: str | None = typer.Option(None, "--service", metavar="S", help="ECS service."),
    container: str | None = typer.Option(
        None, "--container", metavar="NAME",
        help="The app's container, when several essential ones and no load balancer name one."),
    alb: str | None = typer.Option(None, "--alb", metavar="NAME",
                                   help="The load balancer, when the service is behind several."),
    dns_name: str | None = typer.Option(
        None, "--dns-name", metavar="NAME",
        help="The DNS name (dns.name), when several records lead to the load balancer."),
    rds: str | None = typer.Option(None, "--rds", metavar="ID",
                                   help="The RDS instance (or 'none') when it cannot be found."),
    force: bool = typer.Option(False, "--force", help="Replace an existing [env.NAME]."),
    explain: bool = typer.Option(False, "--explain", help="Say where every value came from."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the diff; write nothing."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Write without asking."),
    json_output: JsonOption = False,
) -> None:
    from shipit import local_stand_in
    from shipit.adopt import flow
    from shipit.adopt.discover import Wanted, discover
    from shipit.adopt.model import refuse
    from shipit.adopt.overlay import with_overlay
    from shipit.adopt.render import print_explain
    from shipit.errors import UsageError

    app = get_context(ctx, json_output=json_output)
    name = env or app.env_option
    if not from_aws:
        raise UsageError("init needs --from-aws (the only source it knows)",
                         hint="shipit init --from-aws --env NAME")
    if not name:
        raise UsageError("init --from-aws needs --env NAME", hint="e.g. --env prod")
    base = _context(app, None)
    config = base.config
    if name in config.environments and config.source(name) != config.path:
        raise UsageError(f"environment {name!r} is defined in {config.source(name)}",
                         hint="choose another --env name")
    with_overlay(config.path.read_text(encoding="utf-8"), name, {}, force=force,
                 where=str(config.path))  # refuse before reading AWS
    interactive = sys.stdin.isatty() and sys.stderr.isatty() and not app.output.json_mode
    found = discover(base.aws, Wanted(cluster, service, rds, alb, container, dns_name),
                     choose=_ask if interactive else refuse, base=base.settings,
                     local=local_stand_in.addresses(config.root, base.aws.endpoint_url))
    app.output.redactor.learn_settings(found.overlay())
    planned = flow.plan(config, name, found, force=force)
    app.output.raw_error(planned.diff)
    if explain and not app.output.json_mode:
        print_explain(app.output.err, found)
    result: dict[str, Any] = {"env": name, "path": str(config.path), "written": False,
                              "values": _shown(found.values), "notes": _shown(found.notes),
                              "diff": planned.diff}
    if dry_run:
        app.output.result(result)
        return
    if not yes:
        if not interactive:
            raise UsageError("not written: confirm with --yes (no terminal to ask)",
                             hint="review the diff above, then run again with --yes")
        if not typer.confirm(f"write [env.{name}] to {config.path}?", err=True):
            raise typer.Abort()
    flow.apply(planned)
    result["written"] = True
    app.output.success(f"wrote [env.{name}] to {config.path}; running doctor on it")
    _doctor(app, name, result)


def _context(app: AppContext, env: str | None) -> AppContext:
    """A fresh context for ``env`` (None: the base alone, whatever SHIPIT_ENV says)."""
    environ = {k: v for k, v in app.environ.items() if k != "SHIPIT_ENV"}
    return dataclasses.replace(app, env_option=env, environ=environ, _config=None, _aws=None)


def _doctor(app: AppContext, name: str, result: dict[str, Any]) -> None:
    from shipit.doctor import diagnose
    from shipit.doctor.render import print_findings, summary_line, to_json
    from shipit.doctor.runner import has_failures
    from shipit.errors import Failed

    fresh = _context(app, name)
    findings = diagnose(fresh.config, name, fresh.aws)
    result["doctor"] = to_json(name, findings)
    app.output.result(result, lambda console: print_findings(console, name, findings))
    if has_failures(findings):
        raise Failed(f"[env.{name}] written; doctor: {summary_line(findings)}",
                     hint=f"`shipit --env {name} doctor` shows each fix")


def _ask(choice: Choice) -> str:
    sys.stderr.write(f"Which {choice.what}? {choice.why}\n")
    for number, candidate in enumerate(choice.candidates, 1):
        sys.stderr.write(f"  {number}. {candidate}\n")
    picked: int = typer.prompt("number", type=int, err=True)
    if not 1 <= picked <= len(choice.candidates):
        from shipit.adopt.model import Ambiguous

        raise Ambiguous(choice)
    return choice.candidates[picked - 1]


def _shown(found: list[Found]) -> list[dict[str, Any]]:
    from shipit.adopt.overlay import shown

    return [{"key": f.key, "value": shown(f.key, f.value), "source": f.source} for f in found]


def register(app: typer.Typer) -> None:
    app.command("init", help=HELP)(init)
