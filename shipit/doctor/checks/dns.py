"""dns.alias: the name is an alias to this service's ALB (A, and AAAA when dualstack)."""

from __future__ import annotations

from shipit.aws.route53 import same_alias_target
from shipit.doctor.facts import RecordSet, Snapshot
from shipit.doctor.finding import Verdict, failed, passed, skipped

PROPAGATION = (
    "alias answers follow the ALB's own 60 s TTL; a resolver that cached an earlier record keeps"
    " it for that record's TTL, so check with `dig +short NAME @8.8.8.8` and test through the"
    " ALB's DNS name meanwhile"
)


def _record(records: tuple[RecordSet, ...], name: str, kind: str) -> RecordSet | None:
    wanted = name.lower().rstrip(".")
    for record in records:
        if record.name.lower().rstrip(".") == wanted and record.type == kind:
            return record
    return None


def alias(s: Snapshot) -> Verdict:
    if s.dns_name is None:
        return skipped("no dns.name configured")
    if s.zone.state == "absent":
        return failed(
            f"no hosted zone holds {s.dns_name}", s.zone.reason,
            "create the zone (console: Route 53 > Hosted zones > Create) or fix dns.zone",
        )
    zone = s.zone.need()
    records = s.records.need()
    lb = s.load_balancer.need()
    fix = f"shipit dns --name {s.dns_name}  (add --force to replace a non-alias record)"
    dualstack = (lb.ip_address_type or "ipv4").startswith("dualstack")
    kinds = ["A", "AAAA"] if dualstack else ["A"]
    cname = _record(records, s.dns_name, "CNAME")
    if cname is not None and any(same_alias_target(v, lb.dns_name) for v in cname.values):
        return Verdict(
            "warn", f"{s.dns_name} is a CNAME to this service's ALB; an alias would be better",
            f"CNAME {', '.join(cname.values)} (TTL {cname.ttl}) works, but costs resolvers a"
            " second lookup, is billed per query and cannot sit at the zone apex; an alias A"
            f" {'and AAAA ' if dualstack else ''}record answers the ALB's addresses directly",
            f"shipit dns --name {s.dns_name} --force  (replaces the CNAME with an alias)",
            hop="internet -> ALB", component=f"{zone.name} {s.dns_name} CNAME",
        )
    for kind in kinds:
        record = _record(records, s.dns_name, kind)
        if record is None:
            what = f"a CNAME to {', '.join(cname.values)}" if cname else "no record"
            return failed(
                f"{s.dns_name} has no alias {kind} record ({what})",
                f"zone {zone.name}; the ALB {lb.dns_name}"
                + (" is dualstack, so IPv6 clients need AAAA" if kind == "AAAA" else ""),
                fix,
            )
        if not record.is_alias:
            return failed(
                f"{s.dns_name} {kind} is a plain record, not an alias",
                f"values {', '.join(record.values)} (TTL {record.ttl}); ALB addresses change,"
                " an alias follows them",
                fix,
            )
        if not same_alias_target(record.alias_dns_name or "", lb.dns_name):
            return failed(
                f"{s.dns_name} {kind} points at {record.alias_dns_name}, not this service's ALB",
                f"expected {lb.dns_name}", fix,
            )
    return passed(
        f"{s.dns_name} is an alias ({'/'.join(kinds)}) to {lb.dns_name}", PROPAGATION
    )
