"""Listing reads for adopting a stack: every service, database, listener and alias record.

Where doctor reads the resources shipit.toml names, these find the ones nobody has named yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shipit.aws.errors import translate
from shipit.aws.route53 import HostedZone, RecordSet, list_zones, same_alias_target
from shipit.defaults import POSTGRES_PORT

if TYPE_CHECKING:
    from shipit.aws.session import AwsSession


@dataclass(frozen=True)
class ServiceName:
    cluster: str
    service: str

    def __str__(self) -> str:
        return f"{self.cluster}/{self.service}"


@dataclass(frozen=True)
class DbInstance:
    identifier: str
    engine: str
    address: str
    port: int
    security_groups: tuple[str, ...]


@dataclass(frozen=True)
class AliasRecord:
    zone: HostedZone
    record: RecordSet


def services(aws: AwsSession, cluster: str | None = None) -> list[ServiceName]:
    """Every ECS service of the region (or of ``cluster``), as cluster/service names."""
    client = aws.client("ecs")
    found: list[ServiceName] = []
    try:
        clusters = [cluster] if cluster else [
            arn for page in client.get_paginator("list_clusters").paginate()
            for arn in page["clusterArns"]]
        for name in clusters:
            for page in client.get_paginator("list_services").paginate(cluster=name):
                for arn in page["serviceArns"]:
                    found.append(ServiceName(_last(name), _last(arn)))
    except Exception as exc:
        raise translate(exc, operation="ecs:ListServices", resource=cluster) from None
    return sorted(set(found), key=str)


def databases(aws: AwsSession) -> list[DbInstance]:
    client = aws.client("rds")
    found: list[DbInstance] = []
    try:
        for page in client.get_paginator("describe_db_instances").paginate():
            for db in page["DBInstances"]:
                endpoint: Any = db.get("Endpoint") or {}
                found.append(DbInstance(
                    identifier=db["DBInstanceIdentifier"], engine=db.get("Engine", ""),
                    address=endpoint.get("Address", ""),
                    port=int(endpoint.get("Port", POSTGRES_PORT)),
                    security_groups=tuple(g["VpcSecurityGroupId"]
                                          for g in db.get("VpcSecurityGroups", [])
                                          if "VpcSecurityGroupId" in g)))
    except Exception as exc:
        raise translate(exc, operation="rds:DescribeDBInstances") from None
    return found


def listener_protocols(aws: AwsSession, load_balancer_arn: str) -> list[tuple[str, int]]:
    """(protocol, port) of each listener of the load balancer."""
    try:
        answer = aws.client("elbv2").describe_listeners(LoadBalancerArn=load_balancer_arn)
    except Exception as exc:
        raise translate(exc, operation="elasticloadbalancing:DescribeListeners",
                        resource=load_balancer_arn) from None
    return [(str(item.get("Protocol", "")), int(item.get("Port", 0)))
            for item in answer["Listeners"]]


def records_to(aws: AwsSession, dns_name: str) -> list[AliasRecord]:
    """Every record, in every hosted zone, that leads to ``dns_name``: A/AAAA aliases to it
    (with or without ``dualstack.``) and CNAMEs whose value is it."""
    client = aws.client("route53")
    found: list[AliasRecord] = []
    for zone in list_zones(aws):
        try:
            pages = client.get_paginator("list_resource_record_sets").paginate(
                HostedZoneId=zone.id)
            for page in pages:
                for raw in page["ResourceRecordSets"]:
                    record = _leading_to(raw, dns_name)
                    if record is not None:
                        found.append(AliasRecord(zone, record))
        except Exception as exc:
            raise translate(exc, operation="route53:ListResourceRecordSets",
                            resource=zone.name) from None
    return found


def _leading_to(raw: Any, dns_name: str) -> RecordSet | None:
    name = raw["Name"].lower().rstrip(".")
    alias = raw.get("AliasTarget")
    if alias and raw["Type"] in ("A", "AAAA") and same_alias_target(alias["DNSName"], dns_name):
        return RecordSet(name=name, type=raw["Type"],
                         alias_dns_name=alias["DNSName"].lower().rstrip("."),
                         alias_zone_id=alias["HostedZoneId"])
    values = tuple(str(r["Value"]) for r in raw.get("ResourceRecords", []))
    if raw["Type"] == "CNAME" and any(same_alias_target(v, dns_name) for v in values):
        return RecordSet(name=name, type="CNAME", ttl=raw.get("TTL"), values=values)
    return None


def _last(arn_or_name: str) -> str:
    return arn_or_name.rsplit("/", 1)[-1]


def rule_hosts(aws: AwsSession, load_balancer_arn: str, target_groups: set[str]) -> set[str]:
    """The host names (host-header conditions, ``*`` wildcards kept) of the listener rules
    that forward to one of ``target_groups``."""
    client = aws.client("elbv2")
    hosts: set[str] = set()
    try:
        listeners = client.describe_listeners(LoadBalancerArn=load_balancer_arn)["Listeners"]
        for listener in listeners:
            for rule in client.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"]:
                if not _forwards_to(rule.get("Actions", []), target_groups):
                    continue
                for condition in rule.get("Conditions", []):
                    if condition.get("Field") != "host-header":
                        continue
                    config: Any = condition.get("HostHeaderConfig") or {}
                    values = config.get("Values") or condition.get("Values") or []
                    hosts.update(str(v).lower().rstrip(".") for v in values)
    except Exception as exc:
        raise translate(exc, operation="elasticloadbalancing:DescribeRules",
                        resource=load_balancer_arn) from None
    return hosts


def _forwards_to(actions: Any, target_groups: set[str]) -> bool:
    for action in actions:
        arns = {action.get("TargetGroupArn")} | {
            g.get("TargetGroupArn") for g in
            (action.get("ForwardConfig") or {}).get("TargetGroups", [])}
        if arns & target_groups:
            return True
    return False
