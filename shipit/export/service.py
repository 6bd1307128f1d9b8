"""The ECS cluster, the task definition, the service (circuit breaker, grace period, network
configuration), its log groups with a retention, and the execution and task roles with
least-privilege statements (shipit.iam_policy's execution-role grants)."""

from __future__ import annotations

import json
import re
from typing import Any

from shipit.arn import parse_secret_source
from shipit.export.containers import READ_ONLY, container_definition, pascal
from shipit.export.context import Build
from shipit.export.model import Json, Resource, get_att, ref, sub
from shipit.iam_policy import Scope, execution_role_policy
from shipit.image_ref import split_image

DEFAULT_RETENTION_DAYS = 30
ASSUME_ECS_TASKS = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
    "Action": "sts:AssumeRole"}]}


def cluster(build: Build) -> str:
    snap = build.snapshot
    props: dict[str, Json] = {"ClusterName": snap.cluster}
    if snap.cluster_insights:
        props["ClusterSettings"] = [{"Name": "containerInsights", "Value": snap.cluster_insights}]
    return build.template.add("Cluster", Resource(
        "AWS::ECS::Cluster", props, build.source(f"cluster/{snap.cluster}", f"ecs:DescribeClusters"
                                                 f" {snap.cluster}"),
        identifier={"ClusterName": snap.cluster}))


def log_groups(build: Build) -> dict[str, str]:
    names: dict[str, str] = {}
    for group in build.snapshot.log_groups:
        retention = group.retention_days or DEFAULT_RETENTION_DAYS
        source = build.source(group.name, f"logs:DescribeLogGroups {group.name}")
        if group.retention_days is None:
            source += f" (no retention there: the template keeps {retention} days)"
        names[group.name] = build.template.add(
            "LogGroup" if not names else f"LogGroup{len(names) + 1}",
            Resource("AWS::Logs::LogGroup",
                     {"LogGroupName": group.name, "RetentionInDays": retention}, source,
                     identifier={"LogGroupName": group.name},
                     deletion_policy="Retain"))  # the logs outlive the stack
    return names


def task_definition(build: Build, logs: dict[str, str]) -> str:
    raw = build.snapshot.task_definition
    containers = [container_definition(build, c) for c in raw["containerDefinitions"]]
    props: dict[str, Json] = pascal({k: v for k, v in raw.items() if k not in READ_ONLY and k not in
                                     ("containerDefinitions", "executionRoleArn", "taskRoleArn")})
    for key in ("Cpu", "Memory"):
        if key in props:
            props[key] = str(props[key])
    roles = _roles(build, raw)
    if roles.get("execution"):
        props["ExecutionRoleArn"] = get_att(roles["execution"], "Arn")
    if roles.get("task"):
        props["TaskRoleArn"] = get_att(roles["task"], "Arn")
    props["ContainerDefinitions"] = containers
    ordered: dict[str, Json] = {k: props[k] for k in ("Family", "Cpu", "Memory", "NetworkMode",
                                     "RequiresCompatibilities", "RuntimePlatform",
                                     "ExecutionRoleArn", "TaskRoleArn") if k in props}
    ordered.update({k: v for k, v in props.items() if k not in ordered})
    return build.template.add("TaskDefinition", Resource(
        "AWS::ECS::TaskDefinition", ordered,
        build.source(raw["taskDefinitionArn"], "ecs:DescribeTaskDefinition"),
        identifier={"TaskDefinitionArn": raw["taskDefinitionArn"]},
        depends_on=sorted(logs.values())))


def _roles(build: Build, raw: Any) -> dict[str, str]:
    snap = build.snapshot
    names: dict[str, str] = {}
    if snap.execution_role is not None:
        repositories, foreign = [], []
        for container in raw["containerDefinitions"]:
            image = split_image(container["image"])
            ecr = image.ecr
            if ecr is not None and ecr.account == snap.account:
                repositories.append(image.repository)
            else:
                foreign.append(container["image"])
        for image in foreign:
            build.template.unsupported_shape(
                f"pull permission for {image}", "the execution role",
                "not this account's ECR: a public or other registry needs no ECR statement (a"
                " private one needs repositoryCredentials)")
        groups = [g.name for g in snap.log_groups]
        # the secrets' own ARNs (a valueFrom may add a JSON key, a stage or a version id)
        secrets = tuple(parse_secret_source(s["valueFrom"]).in_region(snap.region, snap.account)
                        for c in raw["containerDefinitions"] for s in c.get("secrets", []))
        policy = execution_role_policy(
            Scope("${AWS::Region}", "${AWS::AccountId}", secrets=secrets),
            repositories=repositories, log_groups=groups)
        names["execution"] = build.template.add("ExecutionRole", Resource("AWS::IAM::Role", {
            "RoleName": snap.execution_role.name,
            "AssumeRolePolicyDocument": ASSUME_ECS_TASKS,
            "Policies": [{"PolicyName": "least-privilege", "PolicyDocument": _portable(
                build, policy)}]},
            build.source(snap.execution_role.arn, "iam:GetRole") + "; statements from shipit's"
            " execution-role grants (pull, log, secrets), not copied",
            identifier={"RoleName": snap.execution_role.name}))
    if snap.task_role is not None:
        role = snap.task_role
        statements = [{"Effect": s.effect, "Action": list(s.actions) if len(s.actions) > 1
                       else s.actions[0], "Resource": list(s.resources) if len(s.resources) > 1
                       else s.resources[0]} for s in role.statements if s.actions and s.resources]
        props: dict[str, Json] = {"RoleName": role.name,
                                  "AssumeRolePolicyDocument": ASSUME_ECS_TASKS}
        if statements:
            props["Policies"] = [{"PolicyName": "task", "PolicyDocument": _portable(
                build, {"Version": "2012-10-17", "Statement": statements})}]
        for policy_arn in role.unreadable_policies:
            build.template.unsupported_shape(f"managed policy {policy_arn}", role.name,
                                             "not readable: attach it again by hand")
        names["task"] = build.template.add("TaskRole", Resource(
            "AWS::IAM::Role", props,
            build.source(role.arn, "iam:GetRole") + "; the application's own statements, copied"
            " (conditions are not read)", identifier={"RoleName": role.name}))
    return names


def _portable(build: Build, policy: dict[str, Any]) -> dict[str, Any]:
    """Resources written for any account and region: pseudo parameters for the partition,
    region and account; the secret parameters for the secrets' ARNs."""
    snap = build.snapshot

    def one(resource: str) -> Json:
        text = resource
        secrets = build.secret_parameters
        for literal, variable in sorted(secrets.items(), key=lambda i: -len(i[0])):
            if literal.startswith("arn:") and literal in text:
                text = text.replace(literal, "${" + variable + "}")
        for name, variable in secrets.items():
            if not name.startswith("arn:") and f"parameter/{name.lstrip('/')}" in text:
                text = text.replace("parameter" + ("" if name.startswith("/") else "/") + name,
                                    "parameter" + ("" if name.startswith("/") else "/")
                                    + "${" + variable + "}")
        text = text.replace(f":{snap.region}:{snap.account}:", ":${AWS::Region}:${AWS::AccountId}:")
        if text.startswith("arn:aws:"):
            text = "arn:${AWS::Partition}:" + text.removeprefix("arn:aws:")
        if re.fullmatch(r"\$\{[A-Za-z0-9]+\}", text):
            return ref(text[2:-1])
        return sub(text) if "${" in text else text

    statements = []
    for statement in policy["Statement"]:
        resources = statement["Resource"]
        written = [one(r) for r in resources] if isinstance(resources, list) else one(resources)
        statements.append({**statement, "Resource": written})
    portable: dict[str, Any] = json.loads(json.dumps({**policy, "Statement": statements}))
    return portable


def service(build: Build, cluster_name: str, task: str) -> str:
    snap = build.snapshot
    svc, settings = snap.service, snap.service_settings
    deployment: dict[str, Json] = {"DeploymentCircuitBreaker": {
        "Enable": svc.circuit_breaker, "Rollback": svc.circuit_breaker_rollback}}
    if settings.maximum_percent is not None:
        deployment["MaximumPercent"] = settings.maximum_percent
    if settings.minimum_percent is not None:
        deployment["MinimumHealthyPercent"] = settings.minimum_percent
    props: dict[str, Json] = {
        "ServiceName": svc.name, "Cluster": ref(cluster_name), "TaskDefinition": ref(task),
        "DesiredCount": settings.desired, "LaunchType": settings.launch_type,
        "PlatformVersion": settings.platform_version, "DeploymentConfiguration": deployment,
    }
    if svc.subnets:
        props["NetworkConfiguration"] = {"AwsvpcConfiguration": {
            "Subnets": build.subnet_lists.get("tasks", list(svc.subnets)),
            "SecurityGroups": [build.group(g) for g in svc.security_groups],
            "AssignPublicIp": svc.assign_public_ip or "DISABLED"}}
    balancers = [{"TargetGroupArn": ref(build.target_groups[lb.target_group_arn]),
                  "ContainerName": lb.container_name, "ContainerPort": lb.container_port}
                 for lb in svc.load_balancers if lb.target_group_arn in build.target_groups]
    if balancers:
        props["LoadBalancers"] = balancers
        if svc.health_check_grace_seconds is not None:
            props["HealthCheckGracePeriodSeconds"] = svc.health_check_grace_seconds
    if settings.execute_command:
        props["EnableExecuteCommand"] = True
    if settings.propagate_tags:
        props["PropagateTags"] = settings.propagate_tags
    for registry in settings.service_registries:
        build.template.unsupported_shape(f"service registry {registry}", svc.name,
                                         "Cloud Map registries are not written")
    if settings.capacity_providers:
        build.template.unsupported_shape(
            f"capacity providers {', '.join(settings.capacity_providers)}", svc.name,
            "written as its launch type instead")
    listeners = [n for n, r in build.template.resources.items()
                 if r.type.endswith("::Listener") or r.type.endswith("::ListenerRule")]
    return build.template.add("Service", Resource(
        "AWS::ECS::Service", {k: v for k, v in props.items() if v is not None},
        build.source(svc.arn, "ecs:DescribeServices"),
        identifier={"ServiceArn": svc.arn, "Cluster": snap.cluster},
        depends_on=listeners if balancers else []))
