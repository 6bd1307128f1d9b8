"""The way in: the service's target group (its health check) -> the ALB -> the Route53 record
that names it (an alias, or a CNAME) -> ``http.url``."""

from __future__ import annotations

import fnmatch
from typing import TYPE_CHECKING

from shipit.adopt.emulated import LocalAddresses
from shipit.adopt.model import Choice, Chooser, Discovery, Given, matches, pick
from shipit.aws import elbv2, inventory
from shipit.aws.route53 import find_zone, norm
from shipit.errors import UsageError

if TYPE_CHECKING:
    from shipit.aws import ecs
    from shipit.aws.session import AwsSession


def adopt_entry(aws: AwsSession, svc: ecs.Service, found: Discovery, *, alb: str | None,
                dns_name: Given | None, choose: Chooser, local: LocalAddresses | None) -> None:
    arns: list[str] = []
    for ref in svc.load_balancers:
        group = elbv2.describe_target_group(aws, ref.target_group_arn)
        _health_check(group, found)
        arns += [a for a in group.load_balancer_arns if a not in arns]
    if not arns:
        if alb:
            raise UsageError(f"--alb {alb}: the service is behind no load balancer",
                             hint="leave --alb out")
        if dns_name is not None and dns_name.strict:
            raise UsageError(f"--dns-name {dns_name.value}: the service is behind no load"
                             " balancer, so no name leads to it", hint="leave --dns-name out")
        return
    albs = elbv2.describe_load_balancers(aws, arns)
    if len(albs) == 1 and not alb:
        lb = albs[0]
    else:
        picked, _ = pick(Choice(
            "the load balancer", tuple(f"{lb.name} ({lb.dns_name})" for lb in albs),
            f"the service's target group is behind {len(albs)} load balancers",
            "pass --alb NAME"), Given(alb, "--alb", strict=True) if alb else None, choose)
        lb = next(lb for lb in albs if lb.name == picked.split(" ", 1)[0])
    found.note("lb.dns_name", lb.dns_name, f"elbv2:DescribeLoadBalancers {lb.name}")
    listeners = inventory.listener_protocols(aws, lb.arn)
    groups = {ref.target_group_arn for ref in svc.load_balancers}
    host, host_src = _dns(aws, lb, groups, found, dns_name, choose)
    listened = ", ".join(f"{p}:{n}" for p, n in listeners) or "no listener"
    if local is not None and (local.load_balancer_arn in (None, lb.arn)):
        found.add("http.url", local.alb_url,
                  f"emulated AWS: the sandbox's ALB stand-in ({local.state_file}), since"
                  f" {host} does not resolve here")
        return
    found.add("http.url", f"{_origin_of(listeners, host)}",
              f"{host_src}; scheme and port from the listeners ({listened})")


def _origin_of(listeners: list[tuple[str, int]], host: str) -> str:
    """https when a listener is HTTPS (443 preferred), else http (80 preferred); the port is
    written only when it is not the scheme's own."""
    for scheme, default in (("https", 443), ("http", 80)):
        ports = sorted((port for protocol, port in listeners if protocol.lower() == scheme),
                       key=lambda port: port != default)
        if ports:
            return f"{scheme}://{host}" + ("" if ports[0] == default else f":{ports[0]}")
    return f"http://{host}"


def _health_check(group: elbv2.TargetGroup, found: Discovery) -> None:
    where = f"elbv2:DescribeTargetGroups {group.name}"
    found.note("lb.target_group", group.name, f"{group.arn}")
    if group.health_path:
        found.add("http.health_path", group.health_path, f"{where} .HealthCheckPath")
    timing = (f"every {group.health_interval}s, timeout {group.health_timeout}s, healthy after"
              f" {group.healthy_threshold}, unhealthy after {group.unhealthy_threshold},"
              f" matcher {group.matcher or '200'}")
    found.note("lb.health_check", timing, f"{where}: no shipit.toml key; deploy keeps the"
               " target group as it is")


def _dns(aws: AwsSession, lb: elbv2.LoadBalancer, groups: set[str], found: Discovery,
         given: Given | None, choose: Chooser) -> tuple[str, str]:
    """The host of http.url: the record naming the ALB (dns.zone and dns.name written), else
    the ALB's own DNS name."""
    records = inventory.records_to(aws, lb.dns_name)
    for record in records:
        if record.record.name.startswith(("*.", "\\052.")):
            found.note("dns.name", record.record.name, f"a wildcard {record.record.type} record"
                       f" to {lb.dns_name}: no URL names it, not adopted")
    records = [r for r in records if not r.record.name.startswith(("*.", "\\052."))]
    names = sorted({r.record.name for r in records})
    alb_src = f"elbv2:DescribeLoadBalancers {lb.name} .DNSName"
    if given is not None and given.strict and not any(matches(given.value, n) for n in names):
        for other in names:
            found.note("dns.name", other, f"a record to {lb.dns_name}, not the --dns-name")
        return _name_without_record(aws, lb, found, given)
    if not names:
        return lb.dns_name, alb_src
    if len(names) > 1 and (given is None or not given.strict):
        names = _routed_here(aws, lb, groups, names, found)
    if len(names) == 1 and (given is None or not given.strict):
        name, settled = names[0], None
    else:
        name, settled = pick(Choice("the DNS name", tuple(names),
                                    f"{len(names)} records lead to {lb.dns_name}",
                                    "pass --dns-name NAME"), given, choose)
    chosen = [r for r in records if r.record.name == name]
    record = next((r for r in chosen if not r.zone.private), chosen[0])
    kinds = sorted({r.record.type for r in chosen})
    found.add("dns.zone", record.zone.name, f"route53:ListHostedZones: the zone holding {name}"
              + (" (public; a private zone of the same name holds it too)"
                 if any(r.zone.private for r in chosen) and not record.zone.private else ""))
    if record.record.type == "CNAME":
        shape = f"a CNAME to {lb.dns_name}"
        found.note("dns.name", name, "a CNAME, adopted as it is; an alias A record would be"
                   " better (no extra lookup, works at the zone apex): `shipit dns` makes one")
    else:
        shape = f"alias to {lb.dns_name} ({'/'.join(kinds)})"
    found.add("dns.name", name, f"route53:ListResourceRecordSets: {shape}"
              + (f" (settled by {settled})" if settled else ""))
    for other in names:
        if other != name:
            found.note("dns.name", other, f"another record to {lb.dns_name}, not chosen")
    return name, f"the Route53 record {name}"


def _routed_here(aws: AwsSession, lb: elbv2.LoadBalancer, groups: set[str],
                 names: list[str], found: Discovery) -> list[str]:
    """Of several names on one ALB, those its listener rules send to this service (by
    host-header); all of them when no rule says."""
    hosts = inventory.rule_hosts(aws, lb.arn, groups)
    routed = [n for n in names if any(fnmatch.fnmatchcase(n, h) for h in hosts)]
    if not routed or len(routed) == len(names):
        return names
    for other in names:
        if other not in routed:
            found.note("dns.name", other, f"leads to {lb.dns_name}, but no listener rule sends"
                       " its host to this service's target group")
    return routed


def _name_without_record(aws: AwsSession, lb: elbv2.LoadBalancer, found: Discovery,
                         given: Given) -> tuple[str, str]:
    name = norm(given.value)
    zone = find_zone(aws, name)
    if zone is None:
        raise UsageError(f"--dns-name {name}: no hosted zone in this account holds it",
                         hint="pass a name inside one of your Route53 zones")
    found.add("dns.zone", zone.name, f"route53:ListHostedZones: the zone holding {name}")
    found.add("dns.name", name, f"--dns-name (no record leads to {lb.dns_name} yet:"
              " `shipit dns` creates the alias)")
    return name, f"--dns-name {name}"
