"""The read-only AWS calls behind doctor's snapshot, each turning one answer into typed facts.

Errors propagate as botocore exceptions or shipit errors; gather records them per fact.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from shipit.aws.ecr import MANIFEST_MEDIA_TYPES
from shipit.aws.errors import translate
from shipit.doctor.checks.ecr import ecr_region, split_image
from shipit.doctor.facts import (
    Container,
    Database,
    Fact,
    Image,
    LogGroup,
    PortMapping,
    Role,
    Rule,
    SecurityGroup,
    Statement,
    TaskDefinition,
)
from shipit.image.manifest import ImageIndex, RawManifest, parse_manifest

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_ec2.type_defs import IpPermissionOutputTypeDef
    from mypy_boto3_ecr import ECRClient
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_logs import CloudWatchLogsClient
    from mypy_boto3_rds import RDSClient

# AWS-managed policies doctor knows by heart, for accounts or emulators that cannot read them.
KNOWN_POLICIES: Mapping[str, tuple[Statement, ...]] = {
    "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy": (
        Statement("Allow", (
            "ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability",
            "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage",
            "logs:CreateLogStream", "logs:PutLogEvents",
        ), ("*",)),
    ),
}


def task_definition(raw: Mapping[str, Any]) -> TaskDefinition:
    """The parts of an ECS task definition (as DescribeTaskDefinition returns it) doctor reads."""
    runtime = raw.get("runtimePlatform", {})
    arch = {"X86_64": "amd64", "ARM64": "arm64"}.get(runtime.get("cpuArchitecture", "X86_64"))
    containers = tuple(
        Container(
            name=c["name"],
            image=c["image"],
            port_mappings=tuple(
                PortMapping(m["containerPort"], m.get("hostPort"), m.get("protocol", "tcp"))
                for m in c.get("portMappings", [])
                if "containerPort" in m
            ),
            environment=tuple((e["name"], e.get("value", "")) for e in c.get("environment", [])),
            secrets=tuple((e["name"], e["valueFrom"]) for e in c.get("secrets", [])),
            log_driver=c.get("logConfiguration", {}).get("logDriver"),
            log_options=dict(c.get("logConfiguration", {}).get("options", {})),
            essential=c.get("essential", True),
        )
        for c in raw["containerDefinitions"]
    )
    return TaskDefinition(
        arn=raw["taskDefinitionArn"],
        family=raw["family"],
        revision=raw["revision"],
        network_mode=raw.get("networkMode", "bridge"),
        platform=f"linux/{arch or 'amd64'}",
        execution_role_arn=raw.get("executionRoleArn"),
        containers=containers,
    )


def image(ecr: ECRClient, reference: str) -> Fact[Image]:
    host, repo, ref = split_image(reference)
    if ecr_region(host) is None:
        return Fact.unset(f"{host} is not an ECR registry")
    image_id: Any = {"imageDigest": ref} if ref.startswith("sha256:") else {"imageTag": ref}
    try:
        answer = ecr.batch_get_image(
            registryId=host.split(".")[0], repositoryName=repo, imageIds=[image_id],
            acceptedMediaTypes=list(MANIFEST_MEDIA_TYPES),
        )
    except ecr.exceptions.RepositoryNotFoundException:
        return Fact.absent(f"repository {repo} does not exist")
    if not answer["images"]:
        failure = answer["failures"][0] if answer["failures"] else {}
        return Fact.absent(failure.get("failureReason", f"{ref} not found in {repo}"))
    found = answer["images"][0]
    digest = found.get("imageId", {}).get("imageDigest", "")
    parsed = parse_manifest(RawManifest(
        found.get("imageManifest", "{}").encode(), found.get("imageManifestMediaType", ""), digest
    ))
    platforms = None
    if isinstance(parsed, ImageIndex):
        platforms = tuple(dict.fromkeys(f"{d.os}/{d.architecture}" for d in parsed.images))
    return Fact.ok(Image(reference, digest, parsed.media_type, platforms))


def log_group(logs: CloudWatchLogsClient, name: str) -> Fact[LogGroup]:
    for group in logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]:
        if group.get("logGroupName") == name:
            return Fact.ok(LogGroup(name, group.get("retentionInDays")))
    return Fact.absent(f"log group {name} does not exist")


def database(rds: RDSClient, identifier: str) -> Database:
    try:
        db = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    except Exception as exc:
        raise translate(exc, operation="rds:DescribeDBInstances", resource=identifier) from None
    endpoint = db.get("Endpoint", {})
    return Database(
        identifier=db["DBInstanceIdentifier"],
        engine=db.get("Engine", ""),
        address=endpoint.get("Address", ""),
        port=endpoint.get("Port", 5432),
        publicly_accessible=bool(db.get("PubliclyAccessible")),
        vpc_id=db.get("DBSubnetGroup", {}).get("VpcId", ""),
        security_groups=tuple(
            g["VpcSecurityGroupId"] for g in db.get("VpcSecurityGroups", [])
            if "VpcSecurityGroupId" in g
        ),
    )


def _rules(permissions: Iterable[IpPermissionOutputTypeDef]) -> tuple[Rule, ...]:
    rules: list[Rule] = []
    for perm in permissions:
        protocol = perm.get("IpProtocol", "-1")
        low, high = perm.get("FromPort", 0), perm.get("ToPort", 65535)
        if protocol == "-1":
            low, high = 0, 65535
        rules += [Rule(protocol, low, high, cidr=r["CidrIp"]) for r in perm.get("IpRanges", [])
                  if "CidrIp" in r]
        rules += [Rule(protocol, low, high, cidr=r["CidrIpv6"])
                  for r in perm.get("Ipv6Ranges", []) if "CidrIpv6" in r]
        rules += [Rule(protocol, low, high, group_id=p["GroupId"])
                  for p in perm.get("UserIdGroupPairs", []) if "GroupId" in p]
    return tuple(rules)


def security_groups(ec2: EC2Client, ids: list[str]) -> dict[str, SecurityGroup]:
    answer = ec2.describe_security_groups(GroupIds=ids)["SecurityGroups"]
    return {
        group["GroupId"]: SecurityGroup(
            id=group["GroupId"],
            name=group.get("GroupName", ""),
            vpc_id=group.get("VpcId", ""),
            ingress=_rules(group.get("IpPermissions", [])),
            egress=_rules(group.get("IpPermissionsEgress", [])),
        )
        for group in answer
    }


def subnet_vpcs(ec2: EC2Client, subnets: list[str]) -> dict[str, str]:
    answer = ec2.describe_subnets(SubnetIds=subnets)["Subnets"]
    return {s["SubnetId"]: s["VpcId"] for s in answer if "SubnetId" in s and "VpcId" in s}


def _document(raw: Any) -> Mapping[str, Any]:
    if isinstance(raw, str):
        parsed: Mapping[str, Any] = json.loads(urllib.parse.unquote(raw))
        return parsed
    return raw if isinstance(raw, Mapping) else {}


def _listed(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(str(item) for item in value) if isinstance(value, list) else ()


def statements(document: Mapping[str, Any]) -> tuple[Statement, ...]:
    raw = document.get("Statement", [])
    items = [raw] if isinstance(raw, Mapping) else raw
    return tuple(
        Statement(str(item.get("Effect", "Allow")), _listed(item.get("Action")),
                  _listed(item.get("Resource")))
        for item in items
        if isinstance(item, Mapping)
    )


def trusted_services(document: Mapping[str, Any]) -> tuple[str, ...]:
    found: list[str] = []
    raw = document.get("Statement", [])
    for item in [raw] if isinstance(raw, Mapping) else raw:
        principal = item.get("Principal", {}) if isinstance(item, Mapping) else {}
        if item.get("Effect") == "Allow" and isinstance(principal, Mapping):
            found += _listed(principal.get("Service"))
    return tuple(found)


def role(iam: IAMClient, arn: str) -> Role:
    name = arn.rsplit("/", 1)[-1]
    raw = iam.get_role(RoleName=name)["Role"]
    found: list[Statement] = []
    unreadable: list[str] = []
    for attached in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
        policy_arn = attached.get("PolicyArn", "")
        try:
            version = iam.get_policy(PolicyArn=policy_arn)["Policy"]["DefaultVersionId"]
            document = iam.get_policy_version(PolicyArn=policy_arn, VersionId=version)
            found += statements(_document(document["PolicyVersion"].get("Document")))
        except Exception:
            if policy_arn in KNOWN_POLICIES:
                found += KNOWN_POLICIES[policy_arn]
            else:
                unreadable.append(policy_arn)
    for policy_name in iam.list_role_policies(RoleName=name)["PolicyNames"]:
        inline = iam.get_role_policy(RoleName=name, PolicyName=policy_name)
        found += statements(_document(inline["PolicyDocument"]))
    return Role(
        name=name,
        arn=raw["Arn"],
        trusted_services=trusted_services(_document(raw.get("AssumeRolePolicyDocument"))),
        statements=tuple(found),
        unreadable_policies=tuple(unreadable),
    )
