"""shipit dns: point a name at the service's ALB with Route53 alias records, and prove it.

    locate   service -> target group -> load balancer; hosted zone by longest suffix match
    plan     alias A (and AAAA when the ALB is dualstack); refuse to replace a non-alias record
    apply    one UPSERT batch, wait for INSYNC, read the records back
    probe    the health URL through the name (bounded retries)

    frontend the same for web.name -> its bucket's S3 website endpoint (``shipit.web.dns``)

``run(settings, aws, DnsOptions(...), clock=, sleep=)`` is all of it, as `shipit dns` and the demo
call it. Every wait takes an injected clock and sleep.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from shipit.aws import ecs, elbv2, route53
from shipit.aws.route53 import HostedZone, RecordSet, same_alias_target
from shipit.doctor.probe import HttpProber, Prober, ProbeRequest, ProbeResponse, emulated_address
from shipit.errors import Failed, ResourceNotFound, UsageError
from shipit.types import Clock, Sleep

if TYPE_CHECKING:
    from shipit.aws.elbv2 import LoadBalancer
    from shipit.aws.session import AwsSession
    from shipit.config import Settings
    from shipit.web.dns import WebRecordResult

ALIAS_TTL = 60
"""What resolvers cache an ALB alias answer for (the ALB's own record TTL)."""


@dataclass(frozen=True)
class DnsPlan:
    name: str
    zone: HostedZone
    load_balancer: LoadBalancer
    types: tuple[str, ...]
    existing: tuple[RecordSet, ...]

    @property
    def conflicts(self) -> tuple[RecordSet, ...]:
        """Records at the name that an alias would replace and that are not aliases."""
        return tuple(
            r for r in self.existing if r.type in (*self.types, "CNAME") and not r.is_alias
        )

    @property
    def up_to_date(self) -> bool:
        return all(
            any(r.type == kind and r.is_alias and r.evaluate_health
                and same_alias_target(r.alias_dns_name or "", self.load_balancer.dns_name)
                for r in self.existing)
            for kind in self.types
        )

    def describe(self) -> list[str]:
        lb = self.load_balancer
        lines = [f"{self.name} {kind} alias -> {lb.dns_name} (EvaluateTargetHealth)"
                 for kind in self.types]
        lines += [f"replaces {record.describe()}" for record in self.existing
                  if record.type in (*self.types, "CNAME") and not self._wanted(record)]
        return lines

    def _wanted(self, record: RecordSet) -> bool:
        return record.is_alias and same_alias_target(
            record.alias_dns_name or "", self.load_balancer.dns_name
        )


@dataclass(frozen=True)
class DnsResult:
    plan: DnsPlan
    changed: bool
    dry_run: bool = False
    change_id: str | None = None
    waited: float = 0.0
    records: tuple[RecordSet, ...] = ()
    probe: ProbeResponse | None = None
    attempts: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)
    routed_to: str | None = None
    """Where the probe connected instead of resolving the name (emulated AWS), if anywhere."""
    web: WebRecordResult | None = None
    """The frontend's alias, when web.name is configured."""

    def to_dict(self) -> dict[str, Any]:
        lb = self.plan.load_balancer
        return {
            "name": self.plan.name,
            "zone": {"id": self.plan.zone.id, "name": self.plan.zone.name},
            "load_balancer": {"name": lb.name, "dns_name": lb.dns_name,
                              "ip_address_type": lb.ip_address_type},
            "types": list(self.plan.types),
            "changed": self.changed,
            "dry_run": self.dry_run,
            "change_id": self.change_id,
            "insync_after_s": round(self.waited, 3),
            "records": [record.describe() for record in self.records],
            "probe": None if self.probe is None else {
                "via": self.probe.via, "status": self.probe.status, "error": self.probe.error,
                "attempts": self.attempts,
            },
            "notes": list(self.notes),
            "web": None if self.web is None else self.web.to_dict(),
        }


@dataclass(frozen=True)
class DnsOptions:
    """What `shipit dns` is asked."""

    name: str | None = None
    """The record's name (default: dns.name)."""
    dry_run: bool = False
    force: bool = False
    """Replace a record that is not an alias (CNAME, plain A)."""
    probe_unchanged: bool = False
    """Probe the name through an alias that was already in place too (the demo does)."""


def run(
    settings: Settings, aws: AwsSession, options: DnsOptions, *, clock: Clock, sleep: Sleep,
    on_plan: Callable[[DnsPlan], None] | None = None, prober: Prober | None = None,
) -> DnsResult:
    """The service's alias (``on_plan`` sees its plan), then the frontend's when configured."""
    from shipit.web.dns import frontend_alias

    result = service_alias(settings, aws, options, clock=clock, sleep=sleep, on_plan=on_plan,
                           prober=prober)
    web = frontend_alias(settings, aws, dry_run=options.dry_run, force=options.force,
                         clock=clock, sleep=sleep)
    return replace(result, web=web)


def service_alias(
    settings: Settings, aws: AwsSession, options: DnsOptions, *, clock: Clock, sleep: Sleep,
    on_plan: Callable[[DnsPlan], None] | None = None, prober: Prober | None = None,
) -> DnsResult:
    """Locate, plan (``on_plan`` sees it), apply and probe; a dry run or an alias already in
    place stops after the plan (``probe_unchanged`` probes the latter anyway)."""
    dry_run, force = options.dry_run, options.force
    record = check_name(options.name or settings.dns.name)
    if not (settings.ecs.cluster and settings.ecs.service):
        raise UsageError("no ecs.cluster / ecs.service to find the load balancer from",
                         hint="set them in shipit.toml for this environment")
    lb = find_load_balancer(aws, settings.ecs.cluster, settings.ecs.service)
    dns_plan = plan(aws, record, lb, settings.dns.zone)
    if on_plan is not None:
        on_plan(dns_plan)
    if dry_run or (dns_plan.up_to_date and not options.probe_unchanged):
        return DnsResult(dns_plan, changed=False, dry_run=dry_run, records=dns_plan.existing)
    result = apply(aws, dns_plan, force=force, clock=clock, sleep=sleep)
    route_to = emulated_address(settings.aws.endpoint_url, settings.http.url)
    request = health_request(record, settings.http.health_path, settings.http.url, route_to)
    if prober is not None:
        answer, attempts = probe_name(prober, request, sleep=sleep)
    else:
        http = HttpProber()
        try:
            answer, attempts = probe_name(http, request, sleep=sleep)
        finally:
            http.close()
    return replace(result, probe=answer, attempts=attempts, routed_to=route_to,
                   notes=(propagation_hint(result),))


def find_load_balancer(aws: AwsSession, cluster: str, service: str) -> LoadBalancer:
    """The ALB in front of the service: service -> target group -> load balancer."""
    svc = ecs.describe_service(aws, cluster, service)
    if not svc.load_balancers:
        raise Failed(f"service {service} has no load balancer",
                      hint="attach a target group to the service (console: ECS > Service >"
                      " Update > Load balancing)")
    group = elbv2.describe_target_group(aws, svc.load_balancers[0].target_group_arn)
    found = elbv2.describe_load_balancers(aws, list(group.load_balancer_arns[:1]))
    if not found:
        raise Failed(f"target group {group.name} is attached to no load balancer",
                     hint="add a listener rule forwarding to it (console: EC2 > Load Balancers)")
    return found[0]


def plan(aws: AwsSession, name: str, lb: LoadBalancer, zone_name: str | None = None) -> DnsPlan:
    zone = route53.find_zone(aws, name, zone_name)
    if zone is None:
        raise ResourceNotFound(
            f"no hosted zone holds {name}" + (f" (dns.zone = {zone_name})" if zone_name else ""),
            hint="create one (console: Route 53 > Hosted zones > Create), or fix dns.zone/name",
        )
    dualstack = (lb.ip_address_type or "ipv4").startswith("dualstack")
    return DnsPlan(
        name=route53.norm(name), zone=zone, load_balancer=lb,
        types=("A", "AAAA") if dualstack else ("A",),
        existing=route53.read_records(aws, zone.id, name),
    )


def apply(
    aws: AwsSession,
    dns_plan: DnsPlan,
    *,
    force: bool,
    clock: Clock,
    sleep: Sleep,
    timeout: float = 300.0,
) -> DnsResult:
    """UPSERT the aliases (a no-op when already right), wait INSYNC, read them back."""
    if dns_plan.up_to_date:
        return DnsResult(dns_plan, changed=False, records=dns_plan.existing)
    if dns_plan.conflicts and not force:
        shown = "; ".join(record.describe() for record in dns_plan.conflicts)
        raise Failed(
            f"{dns_plan.name} already has a record that is not an alias: {shown}",
            hint="rerun with --force to replace it by the alias (see the plan with --dry-run)",
        )
    lb = dns_plan.load_balancer
    change_id = route53.upsert_aliases(
        aws, dns_plan.zone.id, dns_plan.name, list(dns_plan.types), lb.dns_name,
        lb.canonical_zone_id or "", replace_types=("CNAME",), existing=dns_plan.conflicts,
    )
    waited = route53.wait_insync(aws, change_id, clock=clock, sleep=sleep, timeout=timeout)
    records = route53.read_records(aws, dns_plan.zone.id, dns_plan.name)
    missing = [
        kind for kind in dns_plan.types
        if not any(r.type == kind and r.is_alias
                   and same_alias_target(r.alias_dns_name or "", lb.dns_name) for r in records)
    ]
    if missing:
        raise Failed(f"read back after the change, {dns_plan.name} has no alias {missing[0]}",
                     hint="check the zone in the console: Route 53 > Hosted zones")
    return DnsResult(dns_plan, changed=True, change_id=change_id, waited=waited, records=records)


def health_request(name: str, health_path: str, http_url: str | None,
                   route_to: str | None) -> ProbeRequest:
    """The health URL through the name, with http.url's scheme when http.url is that name.
    ``route_to`` (an emulated AWS) connects to that address instead of resolving the name."""
    scheme = "http"
    if http_url:
        parts = urllib.parse.urlsplit(http_url)
        if route_to or parts.hostname == name:
            scheme = parts.scheme
    url = f"{scheme}://{name}/{health_path.lstrip('/')}"
    return ProbeRequest(url, connect_to=route_to)


def probe_name(
    probe: Prober,
    request: ProbeRequest,
    *,
    sleep: Sleep,
    attempts: int = 5,
    interval: float = 3.0,
) -> tuple[ProbeResponse, int]:
    """Try the health URL through the name until it answers 200, at most ``attempts`` times."""
    answer = probe(request)
    tried = 1
    while not answer.ok and tried < attempts:
        sleep(interval)
        answer = probe(request)
        tried += 1
    return answer, tried


def propagation_hint(result: DnsResult) -> str:
    replaced = [r.ttl for r in result.plan.conflicts if r.ttl]
    older = f"; resolvers may keep the replaced record up to {max(replaced)} s" if replaced else ""
    return (
        f"alias answers carry the ALB's TTL ({ALIAS_TTL} s){older}. Meanwhile test through"
        f" http://{result.plan.load_balancer.dns_name} (the checklist's first step)"
    )


def check_name(name: str | None) -> str:
    if not name:
        raise UsageError("no DNS name to point at the service",
                         hint="pass --name api.example.com or set dns.name in shipit.toml")
    return name
