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
    from dataclasses import replace

    from shipit import dns
    from shipit.doctor.probe import HttpProber, emulated_address
    from shipit.errors import UsageError

    app = get_context(ctx, env=env, json_output=json_output)
    settings, out = app.settings, app.output
    record = dns.check_name(name or settings.dns.name)
    if not (settings.ecs.cluster and settings.ecs.service):
        raise UsageError("no ecs.cluster / ecs.service to find the load balancer from",
                         hint="set them in shipit.toml for this environment")
    lb = dns.find_load_balancer(app.aws, settings.ecs.cluster, settings.ecs.service)
    plan = dns.plan(app.aws, record, lb, settings.dns.zone)
    out.step(f"zone {plan.zone.name} ({plan.zone.id}), ALB {lb.dns_name}")
    for line in plan.describe():
        out.info(f"  {line}")
    if dry_run or plan.up_to_date:
        result = dns.DnsResult(plan, changed=False, dry_run=dry_run, records=plan.existing)
        out.success("no change: the alias is already in place" if plan.up_to_date
                    else "dry run: nothing changed")
        out.result({**result.to_dict(), "web": web_record(app, dry_run=dry_run, force=force)})
        return
    result = dns.apply(app.aws, plan, force=force, clock=time.monotonic, sleep=time.sleep)
    out.success(f"INSYNC after {result.waited:.1f}s: " + "; ".join(
        r.describe() for r in result.records if r.type in plan.types))
    route_to = emulated_address(settings.aws.endpoint_url, settings.http.url)
    request = dns.health_request(record, settings.http.health_path, settings.http.url, route_to)
    prober = HttpProber()
    try:
        answer, attempts = dns.probe_name(prober, request, sleep=time.sleep)
    finally:
        prober.close()
    note = " (emulated AWS: the name cannot resolve here, so it was sent to http.url)" \
        if route_to else ""
    result = replace(result, probe=answer, attempts=attempts,
                     notes=(dns.propagation_hint(result),))
    if answer.ok:
        out.success(f"{answer.describe()}{note}")
    else:
        out.warn(f"{answer.describe()} after {attempts} tries{note}")
    out.info(dns.propagation_hint(result))
    out.result({**result.to_dict(), "web": web_record(app, dry_run=dry_run, force=force)})


def web_record(app: AppContext, *, dry_run: bool, force: bool) -> dict[str, Any] | None:
    """The frontend's alias (web.name -> S3 website endpoint), when web.name is configured."""
    import time

    from shipit.web import dns as web_dns

    settings, out = app.settings, app.output
    if not (settings.web.name and settings.web.bucket):
        return None
    web_plan = web_dns.plan(app.aws, settings.web.name, settings.web.bucket, settings.dns.zone)
    out.step(f"frontend: {web_plan.describe()}")
    if dry_run or web_plan.up_to_date:
        out.success("frontend: no change, the alias is already in place" if web_plan.up_to_date
                    else "frontend: dry run, nothing changed")
        return web_dns.result(web_plan, changed=False, dry_run=dry_run)
    done = web_dns.apply(app.aws, web_plan, force=force, clock=time.monotonic, sleep=time.sleep)
    out.success(f"frontend: INSYNC after {done['insync_after_s']:.1f}s: {web_plan.describe()}")
    return done
