"""Least-privilege IAM policies for shipit's commands, from ONE table: ``GRANTS``.

Each command's AWS actions are listed once, with the resources they may touch as ARN templates
filled from shipit.toml (repository, cluster, service, zone, database, secrets) plus the account
and region. ``"*"`` appears only where AWS offers no resource-level permission for the action,
and each such grant says so in ``why`` (printed with the policy). The tests prove the table
complete: every AWS call a command makes against moto is allowed by the policy printed for it
(tests/fixtures/iam.py). Commands whose action list changes edit ``GRANTS`` and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from shipit.arn import parse_secret_source
from shipit.errors import ConfigError, UsageError

if TYPE_CHECKING:
    from shipit.aws.session import AwsSession
    from shipit.config import Settings

COMMANDS = ("push", "deploy", "doctor", "dns")
"""The default set (`shipit iam-policy` with no command); `web` is asked for by name."""

# ARN templates; {name} fields come from Scope.values. "*" is every resource.
ARNS: dict[str, str] = {
    "repository": "arn:{partition}:ecr:{region}:{account}:repository/{repository}",
    "cluster": "arn:{partition}:ecs:{region}:{account}:cluster/{cluster}",
    "service": "arn:{partition}:ecs:{region}:{account}:service/{cluster}/{service}",
    "tasks": "arn:{partition}:ecs:{region}:{account}:task/{cluster}/*",
    "zone": "arn:{partition}:route53:::hostedzone/{zone_id}",
    "changes": "arn:{partition}:route53:::change/*",
    "db": "arn:{partition}:rds:{region}:{account}:db:{db_instance}",
    "task-roles": "arn:{partition}:iam::{account}:role/*",
    "log-groups": "arn:{partition}:logs:{region}:{account}:log-group:*",
    "policies": "arn:{partition}:iam::*:policy/*",
    "bucket": "arn:{partition}:s3:::{bucket}",
    "bucket-objects": "arn:{partition}:s3:::{bucket}/*",
    "log-group": "arn:{partition}:logs:{region}:{account}:log-group:{log_group}:*",
    "*": "*",
}
# Which shipit.toml key a template field comes from (for the error when it is missing).
FIELD_KEYS = {"repository": "image.repository", "cluster": "ecs.cluster",
              "service": "ecs.service", "zone_id": "dns.zone", "db_instance": "rds.instance",
              "bucket": "web.bucket"}
SECRETS = "secrets"
"""A pseudo-resource: the Secrets Manager / SSM ARNs under [secrets] in shipit.toml."""


@dataclass(frozen=True)
class Grant:
    sid: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    why: str
    condition: Mapping[str, Mapping[str, str]] | None = None


_ECR_PUSH = ("ecr:DescribeRepositories", "ecr:CreateRepository", "ecr:DescribeImages",
             "ecr:BatchGetImage", "ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload",
             "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage")
_LOGIN = Grant("EcrLogin", ("ecr:GetAuthorizationToken",), ("*",),
               "ecr:GetAuthorizationToken has no resource-level permissions (AWS requires *)")
_ELB_READ = Grant(
    "LoadBalancerReads",
    ("elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeTargetGroups",
     "elasticloadbalancing:DescribeTargetHealth", "elasticloadbalancing:DescribeListeners"),
    ("*",), "ELB Describe* actions have no resource-level permissions (AWS requires *)")
_TASK_DEFS = Grant(
    "TaskDefinitions",
    ("ecs:DescribeTaskDefinition", "ecs:ListTaskDefinitions"), ("*",),
    "ECS task-definition reads have no resource-level permissions (AWS requires *)")
_TASKS = Grant("ServiceTasks", ("ecs:DescribeTasks",), ("tasks",), "read the service's tasks")
_LIST_TASKS = Grant(
    "ListServiceTasks", ("ecs:ListTasks",), ("*",),
    "ecs:ListTasks is authorized on container instances, which Fargate tasks do not have:"
    " Resource * limited to the cluster by the ecs:cluster condition",
    condition={"ArnEquals": {"ecs:cluster": ARNS["cluster"]}})

GRANTS: dict[str, tuple[Grant, ...]] = {
    "push": (
        _LOGIN,
        Grant("EcrRepository", _ECR_PUSH, ("repository",),
              "create and read the repository; push layers and manifests (registry data plane)"),
    ),
    "deploy": (
        Grant("EcrImage", ("ecr:DescribeImages", "ecr:BatchGetImage"), ("repository",),
              "resolve the image tag to its digest"),
        Grant("EcsService", ("ecs:DescribeServices", "ecs:UpdateService"), ("service",),
              "roll the service to the new task definition"),
        _TASK_DEFS,
        Grant("RegisterTaskDefinition", ("ecs:RegisterTaskDefinition",), ("*",),
              "ecs:RegisterTaskDefinition has no resource-level permissions (AWS requires *)"),
        Grant("PassTaskRoles", ("iam:PassRole",), ("task-roles",),
              "hand the task and execution roles to ECS tasks only",
              condition={"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}),
        _TASKS, _LIST_TASKS, _ELB_READ,
        Grant("TaskLogs", ("logs:GetLogEvents",), ("log-groups",),
              "the last log lines of a failed task (its log group comes from the task"
              " definition, so it is not known in advance)"),
    ),
    "doctor": (
        Grant("EcrRead", ("ecr:DescribeRepositories", "ecr:BatchGetImage"), ("repository",),
              "the repository and the running image's manifest (its platforms)"),
        Grant("EcsServiceRead", ("ecs:DescribeServices",), ("service",), "the service"),
        Grant("TaskDefinitionRead", ("ecs:DescribeTaskDefinition",), ("*",),
              "ecs:DescribeTaskDefinition has no resource-level permissions (AWS requires *)"),
        _TASKS, _LIST_TASKS,
        Grant("LoadBalancerReads",
              ("elasticloadbalancing:DescribeLoadBalancers",
               "elasticloadbalancing:DescribeTargetGroups",
               "elasticloadbalancing:DescribeTargetHealth",
               "elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeRules"),
              ("*",),
              "ELB Describe* actions have no resource-level permissions (AWS requires *)"),
        Grant("NetworkReads",
              ("ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeRouteTables",
               "ec2:DescribeNetworkAcls", "ec2:DescribeVpcEndpoints",
               "ec2:DescribeVpcPeeringConnections", "ec2:DescribeNatGateways",
               "ec2:DescribeInternetGateways", "ec2:DescribePrefixLists"), ("*",),
              "every network hop's route tables, ACLs, endpoints, peerings and gateways;"
              " EC2 Describe* actions have no resource-level permissions (AWS requires *)"),
        Grant("DatabaseRead", ("rds:DescribeDBInstances",), ("db",), "the RDS instance"),
        Grant("ExecutionRoleRead",
              ("iam:GetRole", "iam:ListAttachedRolePolicies", "iam:ListRolePolicies",
               "iam:GetRolePolicy"), ("task-roles",),
              "the task execution role: its trust and policies (named by the task definition)"),
        Grant("PolicyRead", ("iam:GetPolicy", "iam:GetPolicyVersion"), ("policies",),
              "the managed policies attached to the execution role (AWS's and the account's)"),
        Grant("LogGroupRead", ("logs:DescribeLogGroups",), ("log-groups",),
              "the task's log group and its retention"),
        Grant("SecretsExist", ("secretsmanager:DescribeSecret",), (SECRETS,),
              "check each configured secret exists (values are not read)"),
        Grant("ParametersExist", ("ssm:DescribeParameters",), ("*",),
              "ssm:DescribeParameters has no resource-level permissions (AWS requires *)"),
        Grant("FindHostedZones", ("route53:ListHostedZones",), ("*",),
              "route53:ListHostedZones has no resource-level permissions (AWS requires *)"),
        Grant("ZoneRead", ("route53:ListResourceRecordSets",), ("zone",), "the DNS records"),
        Grant("RecentErrors", ("cloudwatch:GetMetricData",), ("*",),
              "the load balancer's 5xx counts of the last minutes; cloudwatch:GetMetricData"
              " has no resource-level permissions (AWS requires *)"),
    ),
    "dns": (
        Grant("FindHostedZones", ("route53:ListHostedZones",), ("*",),
              "route53:ListHostedZones has no resource-level permissions (AWS requires *)"),
        Grant("ZoneRecords",
              ("route53:ListResourceRecordSets", "route53:ChangeResourceRecordSets"), ("zone",),
              "read and upsert the alias"),
        Grant("ChangeStatus", ("route53:GetChange",), ("changes",),
              "wait for the change to be INSYNC (change ids are not known in advance)"),
        Grant("EcsServiceRead", ("ecs:DescribeServices",), ("service",),
              "the service's target group, to find its load balancer"),
        Grant("LoadBalancerLookup",
              ("elasticloadbalancing:DescribeTargetGroups",
               "elasticloadbalancing:DescribeLoadBalancers"), ("*",),
              "ELB Describe* actions have no resource-level permissions (AWS requires *)"),
    ),
    "web": (
        Grant("WebsiteBucket",
              ("s3:GetBucketLocation", "s3:CreateBucket", "s3:ListBucket",
               "s3:GetBucketWebsite", "s3:PutBucketWebsite", "s3:PutBucketPolicy",
               "s3:PutBucketPublicAccessBlock"), ("bucket",),
              "find the bucket's region, create it, turn on website hosting and public reads,"
              " list what it holds"),
        Grant("WebsiteObjects", ("s3:GetObject", "s3:PutObject"), ("bucket-objects",),
              "upload the page's files and read them back"),
    ),
}


@dataclass(frozen=True)
class Scope:
    """The values the ARN templates are filled with."""

    region: str
    account: str
    values: Mapping[str, str | None] = field(default_factory=dict)
    secrets: tuple[str, ...] = ()

    @property
    def partition(self) -> str:
        if self.region.startswith("cn-"):
            return "aws-cn"
        return "aws-us-gov" if self.region.startswith("us-gov-") else "aws"


EXECUTION_ROLE: tuple[Grant, ...] = (
    _LOGIN,
    Grant("PullImages", ("ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer",
                         "ecr:BatchGetImage"), ("repository",),
          "ECS pulls the task's images from their repositories"),
    Grant("WriteLogs", ("logs:CreateLogStream", "logs:PutLogEvents"), ("log-group",),
          "the awslogs driver writes the containers' output to their log groups"),
    Grant("ReadSecrets", ("secretsmanager:GetSecretValue",), (SECRETS,),
          "ECS injects the task's Secrets Manager secrets"),
    Grant("ReadParameters", ("ssm:GetParameters",), ("parameters",),
          "ECS injects the task's SSM parameters"),
)
"""A task execution role's grants (what ECS does for the task), for `shipit export`."""


def execution_role_policy(scope: Scope, *, repositories: Iterable[str],
                          log_groups: Iterable[str]) -> dict[str, Any]:
    """The execution role's least-privilege policy: pull ``repositories``, write
    ``log_groups``, read ``scope.secrets`` (Secrets Manager ARNs and SSM parameter ARNs)."""
    lists: dict[str, list[str]] = {
        "repository": sorted(set(repositories)), "log-group": sorted(set(log_groups)),
        SECRETS: _secret_resources(a for a in scope.secrets
                                   if parse_secret_source(a).kind == "secretsmanager"),
        "parameters": sorted({a for a in scope.secrets if parse_secret_source(a).kind == "ssm"}),
        "*": ["*"],
    }
    field_of = {"repository": "repository", "log-group": "log_group"}
    statements = []
    for grant in EXECUTION_ROLE:
        name = grant.resources[0]
        resources = [
            _fill(ARNS[name], Scope(scope.region, scope.account, {field_of[name]: value}),
                  "execution role") if name in field_of else value
            for value in lists[name]]
        if resources:
            statements.append({"Sid": grant.sid, "Effect": "Allow",
                               "Action": sorted(grant.actions),
                               "Resource": resources[0] if len(resources) == 1 else resources})
    return {"Version": "2012-10-17", "Statement": statements}


def needs_zone(commands: Iterable[str]) -> bool:
    """Whether rendering these commands' policies needs the hosted zone id (an AWS lookup)."""
    return any("zone" in g.resources for c in commands for g in GRANTS[c])


def build_policy(commands: Iterable[str], scope: Scope) -> dict[str, Any]:
    """The IAM policy document allowing exactly what ``commands`` do, scoped to ``scope``."""
    statements: list[dict[str, Any]] = []
    seen: set[str] = set()
    for command in _check(commands):
        for grant in GRANTS[command]:
            if grant.sid in seen:
                continue
            seen.add(grant.sid)
            statement = _statement(grant, scope, command)
            if statement is not None:
                statements.append(statement)
    return {"Version": "2012-10-17", "Statement": statements}


def star_reasons(commands: Iterable[str]) -> dict[str, str]:
    """Each action granted on Resource "*", and why AWS requires it."""
    return {action: grant.why for command in _check(commands) for grant in GRANTS[command]
            if grant.resources == ("*",) for action in grant.actions}


def select_commands(command: str | None) -> list[str]:
    """``[command]`` if it has a policy, every command when None; else a usage error."""
    return _check([command] if command else COMMANDS)


def _check(commands: Iterable[str]) -> list[str]:
    chosen = list(commands)
    for command in chosen:
        if command not in GRANTS:
            raise UsageError(f"no IAM policy for {command!r}",
                             hint=f"choose one of: {', '.join(GRANTS)}")
    return chosen


def _statement(grant: Grant, scope: Scope, command: str) -> dict[str, Any] | None:
    resources: list[str] = []
    for name in grant.resources:
        if name == SECRETS:
            resources.extend(_secret_resources(scope.secrets))
        else:
            resources.append(_fill(ARNS[name], scope, command))
    if not resources:
        return None  # e.g. no secrets configured: nothing to allow
    statement: dict[str, Any] = {"Sid": grant.sid, "Effect": "Allow",
                                 "Action": sorted(grant.actions),
                                 "Resource": resources[0] if len(resources) == 1 else resources}
    if grant.condition:
        statement["Condition"] = {op: {k: _fill(v, scope, command) for k, v in pairs.items()}
                                  for op, pairs in grant.condition.items()}
    return statement


def _fill(template: str, scope: Scope, command: str) -> str:
    values: dict[str, str | None] = {"partition": scope.partition, "region": scope.region,
                                     "account": scope.account, **scope.values}
    for name in re.findall(r"\{(\w+)\}", template):
        if not values.get(name):
            key = FIELD_KEYS.get(name, name)
            raise ConfigError(f"{key} is not set, and the {command} policy is scoped to it",
                              key=key, hint=f"set {key} in shipit.toml (or pick --env)")
    return template.format(**values)


def _secret_resources(secrets: Iterable[str]) -> list[str]:
    """Secrets Manager ARNs get ``-*`` (AWS appends 6 random characters to secret names)."""
    out: list[str] = []
    for arn in secrets:
        is_sm = parse_secret_source(arn).kind == "secretsmanager" and not arn.endswith("*")
        out.append(arn + "-*" if is_sm and not re.search(r"-[A-Za-z0-9]{6}$", arn) else arn)
    return sorted(set(out))


def policy_scope(settings: Settings, aws: AwsSession, commands: Iterable[str]) -> Scope:
    """Fill a Scope from settings; the account from aws.account_id or sts:GetCallerIdentity."""
    from shipit.aws.identity import caller_identity

    account = settings.aws.account_id or caller_identity(aws).account
    zone_id = None
    if settings.dns.zone and needs_zone(commands):
        zone_id = hosted_zone_id(aws, settings.dns.zone)
    values = {"repository": settings.image.repository, "cluster": settings.ecs.cluster,
              "service": settings.ecs.service, "zone_id": zone_id,
              "db_instance": settings.rds.instance, "bucket": settings.web.bucket}
    return Scope(region=aws.region, account=account, values=values,
                 secrets=tuple(settings.secrets.values()))


def hosted_zone_id(aws: AwsSession, zone: str) -> str:
    """The id of the public or private hosted zone named ``zone`` (``Z123...``)."""
    from shipit.aws.route53 import find_zone
    from shipit.errors import ResourceNotFound

    found = find_zone(aws, zone, zone)
    if found is None:
        raise ResourceNotFound(f"no Route53 hosted zone named {zone}",
                               hint="check dns.zone, or create the zone first (the dns policy is"
                               " scoped to its id)")
    return found.id
