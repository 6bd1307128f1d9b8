"""Typed reads of ELBv2: target groups, their targets' health, load balancers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shipit.aws.errors import translate

if TYPE_CHECKING:
    from shipit.aws.session import AwsSession


@dataclass(frozen=True)
class TargetHealth:
    id: str
    port: int | None
    state: str  # initial | healthy | unhealthy | unused | draining | unavailable
    reason: str | None
    description: str | None


@dataclass(frozen=True)
class TargetGroup:
    arn: str
    name: str
    port: int | None
    protocol: str | None
    target_type: str | None
    vpc_id: str | None
    health_path: str | None
    health_port: str | None
    health_interval: int | None
    health_timeout: int | None
    healthy_threshold: int | None
    unhealthy_threshold: int | None
    matcher: str | None
    load_balancer_arns: tuple[str, ...]


@dataclass(frozen=True)
class LoadBalancer:
    arn: str
    name: str
    dns_name: str
    scheme: str | None
    state: str | None
    ip_address_type: str | None
    security_groups: tuple[str, ...]
    vpc_id: str | None
    canonical_zone_id: str | None


def target_health(aws: AwsSession, target_group_arn: str) -> list[TargetHealth]:
    client = aws.client("elbv2")
    try:
        response = client.describe_target_health(TargetGroupArn=target_group_arn)
    except Exception as exc:
        raise translate(exc, operation="elasticloadbalancing:DescribeTargetHealth",
                        resource=target_group_arn) from None
    return [parse_target_health(d) for d in response.get("TargetHealthDescriptions", [])]


def describe_target_group(aws: AwsSession, target_group_arn: str) -> TargetGroup:
    client = aws.client("elbv2")
    try:
        response = client.describe_target_groups(TargetGroupArns=[target_group_arn])
    except Exception as exc:
        raise translate(exc, operation="elasticloadbalancing:DescribeTargetGroups",
                        resource=target_group_arn) from None
    return parse_target_group(response["TargetGroups"][0])


def describe_load_balancers(aws: AwsSession, arns: list[str]) -> list[LoadBalancer]:
    client = aws.client("elbv2")
    try:
        response = client.describe_load_balancers(LoadBalancerArns=arns)
    except Exception as exc:
        raise translate(exc, operation="elasticloadbalancing:DescribeLoadBalancers") from None
    return [parse_load_balancer(lb) for lb in response.get("LoadBalancers", [])]


def parse_target_health(data: Mapping[str, Any]) -> TargetHealth:
    target = data.get("Target", {})
    health = data.get("TargetHealth", {})
    port = target.get("Port")
    return TargetHealth(
        id=str(target.get("Id", "")),
        port=int(port) if port is not None else None,
        state=str(health.get("State", "")),
        reason=health.get("Reason"),
        description=health.get("Description"),
    )


def parse_target_group(data: Mapping[str, Any]) -> TargetGroup:
    def number(key: str) -> int | None:
        value = data.get(key)
        return int(value) if value is not None else None

    return TargetGroup(
        arn=data["TargetGroupArn"],
        name=data.get("TargetGroupName", ""),
        port=number("Port"),
        protocol=data.get("Protocol"),
        target_type=data.get("TargetType"),
        vpc_id=data.get("VpcId"),
        health_path=data.get("HealthCheckPath"),
        health_port=data.get("HealthCheckPort"),
        health_interval=number("HealthCheckIntervalSeconds"),
        health_timeout=number("HealthCheckTimeoutSeconds"),
        healthy_threshold=number("HealthyThresholdCount"),
        unhealthy_threshold=number("UnhealthyThresholdCount"),
        matcher=(data.get("Matcher") or {}).get("HttpCode"),
        load_balancer_arns=tuple(data.get("LoadBalancerArns", [])),
    )


def parse_load_balancer(data: Mapping[str, Any]) -> LoadBalancer:
    return LoadBalancer(
        arn=data["LoadBalancerArn"],
        name=data.get("LoadBalancerName", ""),
        dns_name=data.get("DNSName", ""),
        scheme=data.get("Scheme"),
        state=(data.get("State") or {}).get("Code"),
        ip_address_type=data.get("IpAddressType"),
        security_groups=tuple(data.get("SecurityGroups", [])),
        vpc_id=data.get("VpcId"),
        canonical_zone_id=data.get("CanonicalHostedZoneId"),
    )
