"""`shipit dns`: alias the service's name to its ALB, wait until Route53 has it, probe it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from shipit.cli.context import get_context
from shipit.cli.options import EnvOption, JsonOption

if TYPE_CHECKING:
    from shipit.cli.context import AppContext


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

    result = dns.run(app.settings, app.aws, name=name, dry_run=dry_run, force=force,
                     clock=time.monotonic, sleep=time.sleep, on_plan=show)
    if result.probe is None:
        out.success("no change: the alias is already in place" if result.plan.up_to_date
                    else "dry run: nothing changed")
        out.result({**result.to_dict(), "web": web_record(app, dry_run=dry_run, force=force)})
        return
    out.success(f"INSYNC after {result.waited:.1f}s: " + "; ".join(
        r.describe() for r in result.records if r.type in result.plan.types))
    note = " (emulated AWS: the name cannot resolve here, so it was sent to http.url)" \
        if result.routed_to else ""
    if result.probe.ok:
        out.success(f"{result.probe.describe()}{note}")
    else:
        out.warn(f"{result.probe.describe()} after {result.attempts} tries{note}")
    out.info(dns.propagation_hint(result))
    out.result({**result.to_dict(), "web": web_record(app, dry_run=dry_run, force=force)})


def web_record(app: AppContext, *, dry_run: bool, force: bool) -> dict[str, Any] | None:
    """The frontend's alias (web.name -> S3 website endpoint), when web.name is configured."""
    import time

    from shipit.web import dns as web_dns

    out = app.output
    done = web_dns.run(app.settings, app.aws, dry_run=dry_run, force=force, clock=time.monotonic,
                       sleep=time.sleep,
                       on_plan=lambda plan: out.step(f"frontend: {plan.describe()}"))
    if done is None:
        return None
    if done["changed"]:
        out.success(f"frontend: INSYNC after {done['insync_after_s']:.1f}s")
    else:
        out.success("frontend: dry run, nothing changed" if done["dry_run"]
                    else "frontend: no change, the alias is already in place")
    return done
