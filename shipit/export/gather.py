"""Read the running stack of an environment into a StackSnapshot.

The chain (service -> task definition -> target group -> ALB -> alias record -> database, the
website bucket) is found by ``init --from-aws``'s discovery; this adds the reads a template
needs (stack_reads) and doctor's typed reads of groups, roles, logs and the network.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shipit.adopt.discover import Wanted, discover
from shipit.adopt.model import Chooser, refuse
from shipit.aws import ec2, ecs, elbv2, iam, route53, s3, stack_reads
from shipit.aws.logs import LogGroup, find_log_group
from shipit.export.snapshot import Alias, StackSnapshot, Website

if TYPE_CHECKING:
    from shipit.adopt.emulated import LocalAddresses
    from shipit.aws.session import AwsSession


@dataclass(frozen=True)
class Selection:
    """Which stack: what shipit.toml's environment names (the rest is discovered)."""

    env: str | None = None
    cluster: str | None = None
    service: str | None = None
    rds: str | None = None
    web_bucket: str | None = None
    include_network: bool = False


def read_stack(aws: AwsSession, selection: Selection, *, choose: Chooser = refuse,
               local: LocalAddresses | None = None) -> StackSnapshot:
    found = discover(aws, Wanted(selection.cluster, selection.service, selection.rds or None),
                     choose=choose, local=local)
    value = {f.key: f.value for f in found.values}
    cluster, name = str(value["ecs.cluster"]), str(value["ecs.service"])
    service = ecs.describe_service(aws, cluster, name)
    raw_task = ecs.describe_task_definition(aws, service.task_definition)
    sources: dict[str, str] = {
        service.arn: f"ecs:DescribeServices {cluster}/{name}",
        f"cluster/{cluster}": f"ecs:DescribeClusters {cluster}",
        raw_task["taskDefinitionArn"]: f"ecs:DescribeTaskDefinition {raw_task['family']}"
                                       f":{raw_task['revision']}",
    }
    rds_id = str(value["rds.instance"]) if value.get("rds.instance") else None
    # The reads that depend only on the service and its task definition, concurrently.
    first = _concurrently({
        "entry": lambda: _entry(aws, service, sources),
        "db": lambda: stack_reads.database_spec(aws, rds_id) if rds_id else None,
        "insights": lambda: stack_reads.cluster_insights(aws, cluster),
        "settings": lambda: stack_reads.service_settings(aws, cluster, name),
        "execution": lambda: _role(aws, raw_task.get("executionRoleArn"), sources),
        "task": lambda: _role(aws, raw_task.get("taskRoleArn"), sources),
        "logs": lambda: _log_groups(aws, raw_task, sources),
        "website": lambda: _website(aws, value, selection, sources),
        "subnet_vpcs": lambda: ec2.subnet_vpcs(aws, list(service.subnets[:1]))
        if service.subnets else {},
    })
    lbs, lb_attributes, listeners, target_groups, health = first["entry"]
    lb = lbs[0] if lbs else None
    db = first["db"]
    if db is not None:
        sources[f"db/{db.identifier}"] = f"rds:DescribeDBInstances {db.identifier}"
    group_ids = sorted({*service.security_groups, *(lb.security_groups if lb else ()),
                        *(db.security_groups if db else ())})
    vpc_id = (lb.vpc_id if lb and lb.vpc_id else None) or next(
        iter(first["subnet_vpcs"].values()), "")
    second = _concurrently({
        "groups": lambda: ec2.security_groups(aws, group_ids) if group_ids else {},
        "descriptions": lambda: stack_reads.group_descriptions(aws, group_ids)
        if group_ids else {},
        "rules": lambda: tuple(stack_reads.group_rules(aws, group_ids)) if group_ids else (),
        "vpc": lambda: stack_reads.vpc_spec(aws, vpc_id),
        "network": lambda: ec2.read_network(aws, [vpc_id]) if selection.include_network
        else None,
        "alias": lambda: _alias(aws, value, lb, sources),
    })
    security_groups = second["groups"]
    for group in security_groups.values():
        sources[group.id] = f"ec2:DescribeSecurityGroups {group.id} ({group.name})"
    vpc = second["vpc"]
    sources[vpc.id] = f"ec2:DescribeVpcs {vpc.id}"
    return StackSnapshot(
        region=aws.region, account=str(value["aws.account_id"]), env=selection.env,
        endpoint=aws.endpoint_url, cluster=cluster, cluster_insights=first["insights"],
        service=service, service_settings=first["settings"], task_definition=raw_task,
        main_container=str(value["ecs.container"]), vpc=vpc, security_groups=security_groups,
        group_descriptions=second["descriptions"], group_rules=second["rules"],
        execution_role=first["execution"], task_role=first["task"], log_groups=first["logs"],
        target_groups=target_groups, health_checks=health, load_balancer=lb,
        load_balancer_attributes=lb_attributes, listeners=listeners, database=db,
        alias=second["alias"], website=first["website"], url=value.get("http.url"),
        network=second["network"], sources=sources,
    )


def _concurrently(reads: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """Run independent reads at once (AWS clients are thread-safe); the first error is raised."""
    with ThreadPoolExecutor(max_workers=len(reads), thread_name_prefix="export") as pool:
        futures = {name: pool.submit(read) for name, read in reads.items()}
        return {name: future.result() for name, future in futures.items()}


def _entry(aws: AwsSession, service: ecs.Service, sources: dict[str, str]
           ) -> tuple[list[elbv2.LoadBalancer], dict[str, str],
                      tuple[stack_reads.ListenerSpec, ...], tuple[elbv2.TargetGroup, ...],
                      dict[str, stack_reads.HealthCheck]]:
    target_groups = [elbv2.describe_target_group(aws, ref.target_group_arn)
                     for ref in service.load_balancers]
    if not target_groups:
        return [], {}, (), (), {}
    lb_arns = list(dict.fromkeys(a for tg in target_groups for a in tg.load_balancer_arns))
    lbs = elbv2.describe_load_balancers(aws, lb_arns[:1]) if lb_arns else []
    listeners: tuple[stack_reads.ListenerSpec, ...] = ()
    attributes: dict[str, str] = {}
    if lbs:
        sources[lbs[0].arn] = f"elbv2:DescribeLoadBalancers {lbs[0].name}"
        listeners = tuple(stack_reads.listener_specs(aws, lbs[0].arn))
        attributes = stack_reads.load_balancer_attributes(aws, lbs[0].arn)
        for listener in listeners:
            sources[listener.arn] = f"elbv2:DescribeListeners {lbs[0].name} :{listener.port}"
            for rule in listener.rules:
                sources[rule.arn] = (f"elbv2:DescribeRules {lbs[0].name} :{listener.port}"
                                     f" priority {rule.priority}")
    # target groups the listeners forward to, beyond the service's own
    known = {tg.arn for tg in target_groups}
    for listener in listeners:
        for action in (*listener.default_actions, *(a for r in listener.rules for a in r.actions)):
            for arn in _forwarded(action):
                if arn not in known:
                    known.add(arn)
                    target_groups.append(elbv2.describe_target_group(aws, arn))
    health = {}
    for tg in target_groups:
        sources[tg.arn] = f"elbv2:DescribeTargetGroups {tg.name}"
        health[tg.arn] = stack_reads.target_group_health(aws, tg.arn)
    return lbs, attributes, listeners, tuple(target_groups), health


def _forwarded(action: object) -> list[str]:
    if not isinstance(action, dict):
        return []
    arns = [action["TargetGroupArn"]] if action.get("TargetGroupArn") else []
    arns += [w["TargetGroupArn"] for w in (action.get("ForwardConfig") or {}).get(
        "TargetGroups", []) if w.get("TargetGroupArn")]
    return list(dict.fromkeys(arns))


def _role(aws: AwsSession, arn: str | None, sources: dict[str, str]) -> iam.Role | None:
    if not arn:
        return None
    role = iam.read_role(aws, arn)
    sources[arn] = f"iam:GetRole {role.name} (+ its policies)"
    return role


def _log_groups(aws: AwsSession, raw_task: Mapping[str, Any], sources: dict[str, str]
                ) -> tuple[LogGroup, ...]:
    names: list[str] = []
    for container in raw_task.get("containerDefinitions", []):
        options = (container.get("logConfiguration") or {}).get("options") or {}
        if options.get("awslogs-group") and options["awslogs-group"] not in names:
            names.append(options["awslogs-group"])
    groups = []
    for name in names:
        group = find_log_group(aws, name) or LogGroup(name, None)
        sources[name] = f"logs:DescribeLogGroups {name}"
        groups.append(group)
    return tuple(groups)


def _alias(aws: AwsSession, value: dict[str, object], lb: elbv2.LoadBalancer | None,
           sources: dict[str, str]) -> Alias | None:
    zone_name, name = value.get("dns.zone"), value.get("dns.name")
    if not zone_name or not name or lb is None:
        return None
    zone = route53.find_zone(aws, str(name), str(zone_name))
    if zone is None:
        return None
    records = tuple(r for r in route53.read_records(aws, zone.id, str(name))
                    if r.is_alias and route53.same_alias_target(r.alias_dns_name or "",
                                                                lb.dns_name))
    sources[str(name)] = f"route53:ListResourceRecordSets {zone.name} ({zone.id})"
    return Alias(zone, records) if records else None


def _website(aws: AwsSession, value: dict[str, object], selection: Selection,
             sources: dict[str, str]) -> Website | None:
    bucket = selection.web_bucket or value.get("web.bucket")
    if not bucket:
        return None
    try:
        index = s3.website_index(aws, str(bucket))
    except Exception:  # the sandbox's website stand-in holds it outside moto's S3
        index = None
    source = f"s3:GetBucketWebsite {bucket}" if index else (
        f"[web] bucket {bucket} (website hosting not readable: index.html assumed)")
    sources[str(bucket)] = source
    return Website(str(bucket), index or "index.html", source)
