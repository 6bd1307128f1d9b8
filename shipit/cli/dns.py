"""`shipit dns`: alias the service's name to its ALB, wait until Route53 has it, probe it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from shipit.cli.context import get_context
from shipit.cli.options import EnvOption, JsonOption

if TYPE_CHECKING:
    from shipit.output import Output
    from shipit.web.dns import WebRecordResult


def register(app: typer.Typer) -> None:
    app.command("dns")(dns_command)


def dns_command(
    ctx: typer.Context,
    name: str | None = typer.Option(None, "--name", metavar="NAME",
                                    help="Record name (default: dns.name)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the plan; change nothing."),
    force: bool = typer.Option(False, "--force",
                               help="Replace a record that is not an alias (CNAME, plain A)."),
    env: EnvOption = None,
    json_output: JsonOption = False,
) -> None:
    """Point NAME at the service's ALB (alias A, AAAA when dualstack) and probe it.

    Finds the ALB (service -> target group -> load balancer) and the hosted zone (longest
    suffix match), UPSERTs the aliases, waits for INSYNC, reads them back, then tries the
    health URL through the name. A second run says "no change". When web.name is set, the
    frontend's name gets an alias A to its bucket's S3 website endpoint the same way.

    Example: shipit --env prod dns --name api.example.com --dry-run
    """
    import time

    from shipit import dns

    app = get_context(ctx, env=env, json_output=json_output)
    out = app.output

    def show(plan: dns.DnsPlan) -> None:
        out.step(f"zone {plan.zone.name} ({plan.zone.id}), ALB {plan.load_balancer.dns_name}")
        for line in plan.describe():
            out.info(f"  {line}")

    options = dns.DnsOptions(name=name, dry_run=dry_run, force=force)
    result = dns.run(app.settings, app.aws, options, clock=time.monotonic, sleep=time.sleep,
                     on_plan=show)
    if result.probe is None:
        out.success("no change: the alias is already in place" if result.plan.up_to_date
                    else "dry run: nothing changed")
    else:
        out.success(f"INSYNC after {result.waited:.1f}s: " + "; ".join(
            r.describe() for r in result.records if r.type in result.plan.types))
        note = " (emulated AWS: the name cannot resolve here, so it was sent to http.url)" \
            if result.routed_to else ""
        if result.probe.ok:
            out.success(f"{result.probe.describe()}{note}")
        else:
            out.warn(f"{result.probe.describe()} after {result.attempts} tries{note}")
        out.info(dns.propagation_hint(result))
    if result.web is not None:
        say_frontend(out, result.web)
    out.result(result.to_dict())


def say_frontend(out: Output, web: WebRecordResult) -> None:
    """The frontend's alias (web.name -> S3 website endpoint), after the service's."""
    out.step(f"frontend: {web.plan.describe()}")
    if web.changed:
        out.success(f"frontend: INSYNC after {web.waited:.1f}s")
    else:
        out.success("frontend: dry run, nothing changed" if web.dry_run
                    else "frontend: no change, the alias is already in place")
