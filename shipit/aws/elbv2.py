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
    subnets: tuple[str, ...] = ()


@dataclass(frozen=True)
class Action:
    """What a listener or rule does: forward (to target groups), redirect, fixed-response ..."""

    type: str
    target_groups: tuple[str, ...] = ()
    redirect_port: str | None = None
    redirect_protocol: str | None = None


@dataclass(frozen=True)
class ListenerRule:
    arn: str
    priority: str
    actions: tuple[Action, ...]


@dataclass(frozen=True)
class Listener:
    arn: str
    port: int
    protocol: str
    default_actions: tuple[Action, ...]
    rules: tuple[ListenerRule, ...] = ()


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
        subnets=tuple(
            z["SubnetId"] for z in data.get("AvailabilityZones", []) if z.get("SubnetId")
        ),
    )


def parse_action(data: Mapping[str, Any]) -> Action:
    groups = [data["TargetGroupArn"]] if data.get("TargetGroupArn") else []
    for weighted in (data.get("ForwardConfig") or {}).get("TargetGroups", []):
        if weighted.get("TargetGroupArn") and weighted.get("Weight", 1) != 0:
            groups.append(weighted["TargetGroupArn"])
    redirect = data.get("RedirectConfig") or {}
    return Action(
        type=str(data.get("Type", "")),
        target_groups=tuple(dict.fromkeys(groups)),
        redirect_port=redirect.get("Port"),
        redirect_protocol=redirect.get("Protocol"),
    )


def listeners(aws: AwsSession, load_balancer_arn: str) -> list[Listener]:
    """Every listener of the load balancer, each with its non-default rules."""
    client = aws.client("elbv2")
    try:
        found = client.describe_listeners(LoadBalancerArn=load_balancer_arn)["Listeners"]
        result = []
        for raw in found:
            rules = [
                ListenerRule(r["RuleArn"], str(r.get("Priority", "")),
                             tuple(parse_action(a) for a in r.get("Actions", [])))
                for r in client.describe_rules(ListenerArn=raw["ListenerArn"])["Rules"]
                if not r.get("IsDefault")
            ]
            result.append(Listener(
                arn=raw["ListenerArn"], port=int(raw.get("Port", 0)),
                protocol=str(raw.get("Protocol", "")),
                default_actions=tuple(parse_action(a) for a in raw.get("DefaultActions", [])),
                rules=tuple(rules),
            ))
    except Exception as exc:
        raise translate(exc, operation="elasticloadbalancing:DescribeListeners",
                        resource=load_balancer_arn) from None
    return result
