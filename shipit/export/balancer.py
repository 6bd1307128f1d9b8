"""The load balancer, its listeners and rules, and the target groups with their real health
checks. Listener actions and rule conditions keep the API's shape (CloudFormation's is the
same); target group ARNs become references to the template's target groups."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shipit.export.context import Build
from shipit.export.model import Json, Parameter, Resource, logical, ref

KEEP_ATTRIBUTES = ("deletion_protection.enabled", "idle_timeout.timeout_seconds",
                   "routing.http.drop_invalid_header_fields.enabled",
                   "access_logs.s3.enabled", "access_logs.s3.bucket", "access_logs.s3.prefix")
"""Load balancer attributes written down (the rest are left at their defaults)."""
SUPPORTED_ACTIONS = ("forward", "redirect", "fixed-response")


def target_groups(build: Build) -> None:
    for tg in build.snapshot.target_groups:
        if tg.target_type not in ("ip", "instance", None):
            build.template.unsupported_shape(
                f"target group {tg.name} of type {tg.target_type}", tg.arn,
                "only ip and instance targets are written; a Lambda target needs its function"
                " (and permission) in the template")
            continue
        health = build.snapshot.health_checks.get(tg.arn)
        props: dict[str, Json] = {
            "Name": tg.name, "Port": tg.port, "Protocol": tg.protocol, "TargetType": tg.target_type,
            "VpcId": build.vpc_ref(), "HealthCheckEnabled": health.enabled if health else True,
            "HealthCheckProtocol": (health.protocol if health else None) or tg.protocol,
            "HealthCheckPath": tg.health_path, "HealthCheckPort": tg.health_port,
            "HealthCheckIntervalSeconds": tg.health_interval,
            "HealthCheckTimeoutSeconds": tg.health_timeout,
            "HealthyThresholdCount": tg.healthy_threshold,
            "UnhealthyThresholdCount": tg.unhealthy_threshold,
            "Matcher": {"HttpCode": tg.matcher} if tg.matcher else None,
        }
        build.target_groups[tg.arn] = build.template.add(
            f"{logical(tg.name)}TargetGroup" if len(build.snapshot.target_groups) > 1
            else "TargetGroup",
            Resource("AWS::ElasticLoadBalancingV2::TargetGroup",
                     {k: v for k, v in props.items() if v is not None},
                     build.source(tg.arn, f"elbv2:DescribeTargetGroups {tg.name}"),
                     identifier={"TargetGroupArn": tg.arn}))


def load_balancer(build: Build) -> None:
    lb = build.snapshot.load_balancer
    if lb is None:
        return
    attributes = [{"Key": k, "Value": v} for k, v in build.snapshot.load_balancer_attributes.items()
                  if k in KEEP_ATTRIBUTES and v != ""]
    props: dict[str, Json] = {
        "Name": lb.name, "Type": "application", "Scheme": lb.scheme,
        "IpAddressType": lb.ip_address_type,
        "Subnets": build.subnet_lists.get("alb", list(lb.subnets)),
        "SecurityGroups": [build.group(g) for g in lb.security_groups],
    }
    if attributes:
        props["LoadBalancerAttributes"] = attributes
    build.load_balancer = build.template.add("LoadBalancer", Resource(
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        {k: v for k, v in props.items() if v is not None},
        build.source(lb.arn, f"elbv2:DescribeLoadBalancers {lb.name}"),
        identifier={"LoadBalancerArn": lb.arn}))
    for listener in build.snapshot.listeners:
        actions = _actions(build, listener.default_actions, listener.arn)
        if not actions:
            continue
        props = {"LoadBalancerArn": ref(build.load_balancer), "Port": listener.port,
                 "Protocol": listener.protocol, "DefaultActions": actions}
        if listener.certificates:
            props["Certificates"] = [{"CertificateArn": build.template.parameter(
                f"CertificateArn{listener.port}",
                Parameter("String", f"ACM certificate of the :{listener.port} listener (the"
                          " stack's; certificates do not move between accounts or regions)",
                          listener.certificates[0]))}]
            if len(listener.certificates) > 1:
                build.template.unsupported_shape(
                    f"{len(listener.certificates) - 1} extra certificates of :{listener.port}",
                    listener.arn, "add AWS::ElasticLoadBalancingV2::ListenerCertificate")
        if listener.ssl_policy and listener.protocol in ("HTTPS", "TLS"):
            props["SslPolicy"] = listener.ssl_policy
        name = build.template.add(f"{listener.protocol.title()}Listener{listener.port}", Resource(
            "AWS::ElasticLoadBalancingV2::Listener", props,
            build.source(listener.arn, f"elbv2:DescribeListeners :{listener.port}"),
            identifier={"ListenerArn": listener.arn}))
        for rule in listener.rules:
            rule_actions = _actions(build, rule.actions, rule.arn)
            if not rule_actions:
                continue
            build.template.add(f"{name}Rule{rule.priority}", Resource(
                "AWS::ElasticLoadBalancingV2::ListenerRule", {
                    "ListenerArn": ref(name), "Priority": rule.priority,
                    "Conditions": [_pascal(_condition(c)) for c in rule.conditions],
                    "Actions": rule_actions},
                build.source(rule.arn, f"elbv2:DescribeRules priority {rule.priority}"),
                identifier={"RuleArn": rule.arn}))


def _actions(build: Build, actions: tuple[Mapping[str, Any], ...], where: str) -> list[Json]:
    out: list[Json] = []
    for action in sorted(actions, key=lambda a: int(a.get("Order", 0))):
        kind = str(action.get("Type", ""))
        if kind not in SUPPORTED_ACTIONS:
            build.template.unsupported_shape(f"listener action {kind}", where,
                                             "authenticate-* actions are not written")
            return []
        written = {k: v for k, v in action.items() if k not in ("TargetGroupArn", "ForwardConfig")}
        targets = [action["TargetGroupArn"]] if action.get("TargetGroupArn") else []
        weighted = (action.get("ForwardConfig") or {}).get("TargetGroups", [])
        missing = [a for a in targets + [w["TargetGroupArn"] for w in weighted]
                   if a not in build.target_groups]
        if missing:
            build.template.unsupported_shape(f"forward to {', '.join(missing)}", where,
                                             "its target group is not written (see above)")
            return []
        if len(weighted) > 1:
            written["ForwardConfig"] = {"TargetGroups": [
                {"TargetGroupArn": ref(build.target_groups[w["TargetGroupArn"]]),
                 "Weight": w.get("Weight", 1)} for w in weighted]}
        elif targets or weighted:
            arn = (targets or [weighted[0]["TargetGroupArn"]])[0]
            written["TargetGroupArn"] = ref(build.target_groups[arn])
        out.append(_pascal(written))
    return out


def _condition(condition: Mapping[str, Any]) -> Mapping[str, Any]:
    """Only the condition's config block (the API also repeats plain ``Values``)."""
    if any(k.endswith("Config") for k in condition):
        return {k: v for k, v in condition.items() if k != "Values"}
    return condition


def _pascal(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k[:1].upper() + k[1:]: _pascal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_pascal(v) for v in value]
    return value

