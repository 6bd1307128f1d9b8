"""Route53 reads and the one write shipit makes: alias records to a load balancer.

Record names are compared without the trailing dot and case-insensitively, as DNS does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shipit.aws.errors import translate
from shipit.errors import Failed
from shipit.types import Clock, Sleep

if TYPE_CHECKING:
    from mypy_boto3_route53.type_defs import ResourceRecordSetOutputTypeDef

    from shipit.aws.session import AwsSession


@dataclass(frozen=True)
class HostedZone:
    id: str
    name: str
    private: bool


@dataclass(frozen=True)
class RecordSet:
    name: str
    type: str
    ttl: int | None = None
    values: tuple[str, ...] = ()
    alias_dns_name: str | None = None
    alias_zone_id: str | None = None
    evaluate_health: bool | None = None

    @property
    def is_alias(self) -> bool:
        return self.alias_dns_name is not None

    def describe(self) -> str:
        if self.is_alias:
            return f"{self.name} {self.type} alias -> {self.alias_dns_name}"
        return f"{self.name} {self.type} {' '.join(self.values)} (TTL {self.ttl})"


def norm(name: str) -> str:
    """A DNS name as compared: lowercase, no trailing dot."""
    return name.lower().rstrip(".")


def same_alias_target(alias_dns_name: str, dns_name: str) -> bool:
    """Alias targets may carry a trailing dot, any case, and a 'dualstack.' prefix."""
    return norm(alias_dns_name).removeprefix("dualstack.") == norm(dns_name).removeprefix(
        "dualstack."
    )


def zone_matches(zone_name: str, name: str) -> bool:
    zone, wanted = norm(zone_name), norm(name)
    return wanted == zone or wanted.endswith("." + zone)


def pick_zone(
    zones: list[HostedZone], name: str, zone_name: str | None = None
) -> HostedZone | None:
    """The zone holding ``name`` by longest suffix match (public before private on a tie)."""
    fits = [
        zone for zone in zones
        if zone_matches(zone.name, name)
        and (zone_name is None or norm(zone.name) == norm(zone_name))
    ]
    fits.sort(key=lambda zone: (len(norm(zone.name)), not zone.private), reverse=True)
    return fits[0] if fits else None


def list_zones(aws: AwsSession) -> list[HostedZone]:
    try:
        zones: list[HostedZone] = []
        for page in aws.client("route53").get_paginator("list_hosted_zones").paginate():
            for zone in page["HostedZones"]:
                zones.append(HostedZone(
                    id=zone["Id"].removeprefix("/hostedzone/"),
                    name=norm(zone["Name"]),
                    private=bool(zone.get("Config", {}).get("PrivateZone", False)),
                ))
        return zones
    except Exception as exc:
        raise translate(exc, operation="route53:ListHostedZones") from None


def find_zone(aws: AwsSession, name: str, zone_name: str | None = None) -> HostedZone | None:
    """The zone holding ``name`` (or the one named ``zone_name``), or None."""
    return pick_zone(list_zones(aws), name, zone_name)


def _record(raw: ResourceRecordSetOutputTypeDef) -> RecordSet:
    alias = raw.get("AliasTarget")
    return RecordSet(
        name=norm(raw["Name"]),
        type=raw["Type"],
        ttl=raw.get("TTL"),
        values=tuple(item["Value"] for item in raw.get("ResourceRecords", [])),
        alias_dns_name=norm(alias["DNSName"]) if alias else None,
        alias_zone_id=alias["HostedZoneId"] if alias else None,
        evaluate_health=alias.get("EvaluateTargetHealth") if alias else None,
    )


def read_records(aws: AwsSession, zone_id: str, name: str) -> tuple[RecordSet, ...]:
    """Every record set named exactly ``name`` in the zone (all types)."""
    try:
        answer = aws.client("route53").list_resource_record_sets(
            HostedZoneId=zone_id, StartRecordName=norm(name), MaxItems="20"
        )
    except Exception as exc:
        raise translate(exc, operation="route53:ListResourceRecordSets", resource=name) from None
    return tuple(
        _record(raw) for raw in answer["ResourceRecordSets"] if norm(raw["Name"]) == norm(name)
    )


def upsert_aliases(
    aws: AwsSession,
    zone_id: str,
    name: str,
    types: list[str],
    dns_name: str,
    alias_zone_id: str,
    *,
    replace_types: tuple[str, ...] = (),
    existing: tuple[RecordSet, ...] = (),
) -> str:
    """UPSERT alias records of ``types``; DELETE the ``existing`` records of ``replace_types``
    first, in the same atomic batch (a CNAME cannot coexist with an A). Returns the change id."""
    changes: list[Any] = []
    for record in existing:
        if record.type in replace_types:
            changes.append({"Action": "DELETE", "ResourceRecordSet": _raw(record)})
    for kind in types:
        changes.append({
            "Action": "UPSERT",
            "ResourceRecordSet": {
                "Name": norm(name),
                "Type": kind,
                "AliasTarget": {
                    "HostedZoneId": alias_zone_id,
                    "DNSName": dns_name,
                    "EvaluateTargetHealth": True,
                },
            },
        })
    try:
        answer = aws.client("route53").change_resource_record_sets(
            HostedZoneId=zone_id,
            ChangeBatch={"Comment": "shipit dns", "Changes": changes},
        )
    except Exception as exc:
        raise translate(exc, operation="route53:ChangeResourceRecordSets", resource=name) from None
    return answer["ChangeInfo"]["Id"].removeprefix("/change/")


def _raw(record: RecordSet) -> dict[str, Any]:
    raw: dict[str, Any] = {"Name": record.name, "Type": record.type}
    if record.is_alias:
        raw["AliasTarget"] = {
            "HostedZoneId": record.alias_zone_id,
            "DNSName": record.alias_dns_name,
            "EvaluateTargetHealth": bool(record.evaluate_health),
        }
    else:
        raw["TTL"] = record.ttl
        raw["ResourceRecords"] = [{"Value": value} for value in record.values]
    return raw


def wait_insync(
    aws: AwsSession,
    change_id: str,
    *,
    clock: Clock,
    sleep: Sleep,
    timeout: float = 300.0,
    interval: float = 2.0,
) -> float:
    """Poll the change until INSYNC; returns the seconds waited. Route53 usually takes < 60 s."""
    client = aws.client("route53")
    start = clock()
    while True:
        try:
            status = client.get_change(Id=change_id)["ChangeInfo"]["Status"]
        except Exception as exc:
            raise translate(exc, operation="route53:GetChange", resource=change_id) from None
        waited = clock() - start
        if status == "INSYNC":
            return waited
        if waited >= timeout:
            raise Failed(
                f"change {change_id} still {status} after {int(waited)} s",
                hint=f"check later with `aws route53 get-change --id {change_id}`",
            )
        sleep(interval)
