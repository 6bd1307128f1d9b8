"""Reads that writing a stack down as a template needs beyond doctor's: the settings of each
resource as CloudFormation would take them (health-check protocol, listener certificates and
rule conditions, the database's class and storage, the VPC's CIDR, security-group rule ids).

Read-only, typed; API shapes that CloudFormation takes over unchanged (listener actions and
rule conditions) stay mappings. ``ClientError`` becomes a shipit error here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from shipit.aws.errors import translate
from shipit.defaults import POSTGRES_PORT

if TYPE_CHECKING:
    from shipit.aws.session import AwsSession

T = TypeVar("T")


def _call(operation: str, resource: str | None, fn: Callable[[], T]) -> T:
    try:
        return fn()
    except Exception as exc:
        raise translate(exc, operation=operation, resource=resource) from None


@dataclass(frozen=True)
class ServiceSettings:
    """What the service is set to, beyond ecs.Service: the deployment bounds and platform."""

    desired: int
    launch_type: str | None
    platform_version: str | None
    minimum_percent: int | None
    maximum_percent: int | None
    execute_command: bool
    propagate_tags: str | None
    service_registries: tuple[str, ...]
    capacity_providers: tuple[str, ...]


def service_settings(aws: AwsSession, cluster: str, service: str) -> ServiceSettings:
    raw = _call("ecs:DescribeServices", service, lambda: aws.client("ecs").describe_services(
        cluster=cluster, services=[service])["services"][0])
    config = raw.get("deploymentConfiguration") or {}
    return ServiceSettings(
        desired=int(raw.get("desiredCount", 0)),
        launch_type=raw.get("launchType"),
        platform_version=raw.get("platformVersion"),
        minimum_percent=config.get("minimumHealthyPercent"),
        maximum_percent=config.get("maximumPercent"),
        execute_command=bool(raw.get("enableExecuteCommand")),
        propagate_tags=raw.get("propagateTags") if raw.get("propagateTags") != "NONE" else None,
        service_registries=tuple(r.get("registryArn", "") for r in raw.get("serviceRegistries")
                                 or []),
        capacity_providers=tuple(c.get("capacityProvider", "") for c in
                                 raw.get("capacityProviderStrategy") or []),
    )


def cluster_insights(aws: AwsSession, cluster: str) -> str | None:
    """The cluster's containerInsights setting (enabled, enhanced, disabled), or None."""
    clusters = _call("ecs:DescribeClusters", cluster, lambda: aws.client("ecs").describe_clusters(
        clusters=[cluster], include=["SETTINGS"])["clusters"])
    for setting in (clusters[0].get("settings") or []) if clusters else []:
        if setting.get("name") == "containerInsights":
            return str(setting.get("value"))
    return None


@dataclass(frozen=True)
class HealthCheck:
    protocol: str | None
    enabled: bool


def target_group_health(aws: AwsSession, arn: str) -> HealthCheck:
    raw = _call("elasticloadbalancing:DescribeTargetGroups", arn, lambda: aws.client(
        "elbv2").describe_target_groups(TargetGroupArns=[arn])["TargetGroups"][0])
    return HealthCheck(raw.get("HealthCheckProtocol"), bool(raw.get("HealthCheckEnabled", True)))


@dataclass(frozen=True)
class RuleSpec:
    arn: str
    priority: int
    conditions: tuple[Mapping[str, Any], ...]
    actions: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class ListenerSpec:
    arn: str
    port: int
    protocol: str
    ssl_policy: str | None
    certificates: tuple[str, ...]
    default_actions: tuple[Mapping[str, Any], ...]
    rules: tuple[RuleSpec, ...]


def listener_specs(aws: AwsSession, load_balancer_arn: str) -> list[ListenerSpec]:
    """Every listener with its certificates, policy, actions and non-default rules, as read."""
    client = aws.client("elbv2")

    def read() -> list[ListenerSpec]:
        specs = []
        for raw in client.describe_listeners(LoadBalancerArn=load_balancer_arn)["Listeners"]:
            rules = tuple(
                RuleSpec(r["RuleArn"], int(r.get("Priority", "0")),
                         tuple(r.get("Conditions", [])), tuple(r.get("Actions", [])))
                for r in client.describe_rules(ListenerArn=raw["ListenerArn"])["Rules"]
                if not r.get("IsDefault"))
            specs.append(ListenerSpec(
                arn=raw["ListenerArn"], port=int(raw.get("Port", 0)),
                protocol=str(raw.get("Protocol", "")), ssl_policy=raw.get("SslPolicy"),
                certificates=tuple(c["CertificateArn"] for c in raw.get("Certificates", [])
                                   if c.get("CertificateArn")),
                default_actions=tuple(raw.get("DefaultActions", [])),
                rules=tuple(sorted(rules, key=lambda rule: rule.priority))))
        return sorted(specs, key=lambda spec: spec.port)

    return _call("elasticloadbalancing:DescribeListeners", load_balancer_arn, read)


@dataclass(frozen=True)
class DatabaseSpec:
    identifier: str
    engine: str
    engine_version: str | None
    instance_class: str
    allocated_storage: int
    storage_type: str | None
    db_name: str | None
    master_username: str | None
    port: int
    multi_az: bool
    storage_encrypted: bool
    publicly_accessible: bool
    backup_retention: int | None
    deletion_protection: bool
    iam_auth: bool
    managed_secret_arn: str | None
    """MasterUserSecret: the password is managed by Secrets Manager."""
    subnet_group: str
    subnet_group_description: str
    subnets: tuple[str, ...]
    security_groups: tuple[str, ...]
    address: str


def database_spec(aws: AwsSession, identifier: str) -> DatabaseSpec:
    db = _call("rds:DescribeDBInstances", identifier, lambda: aws.client(
        "rds").describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0])
    group = db.get("DBSubnetGroup") or {}
    return DatabaseSpec(
        identifier=db["DBInstanceIdentifier"], engine=db.get("Engine", ""),
        engine_version=db.get("EngineVersion"), instance_class=db.get("DBInstanceClass", ""),
        allocated_storage=int(db.get("AllocatedStorage", 20)), storage_type=db.get("StorageType"),
        db_name=db.get("DBName"), master_username=db.get("MasterUsername"),
        port=int((db.get("Endpoint") or {}).get("Port", POSTGRES_PORT)),
        multi_az=bool(db.get("MultiAZ")),
        storage_encrypted=bool(db.get("StorageEncrypted")),
        publicly_accessible=bool(db.get("PubliclyAccessible")),
        backup_retention=db.get("BackupRetentionPeriod"),
        deletion_protection=bool(db.get("DeletionProtection")),
        iam_auth=bool(db.get("IAMDatabaseAuthenticationEnabled")),
        managed_secret_arn=(db.get("MasterUserSecret") or {}).get("SecretArn"),
        subnet_group=group.get("DBSubnetGroupName", ""),
        subnet_group_description=group.get("DBSubnetGroupDescription", ""),
        subnets=tuple(s["SubnetIdentifier"] for s in group.get("Subnets", [])
                      if "SubnetIdentifier" in s),
        security_groups=tuple(g["VpcSecurityGroupId"] for g in db.get("VpcSecurityGroups", [])
                              if "VpcSecurityGroupId" in g),
        address=(db.get("Endpoint") or {}).get("Address", ""),
    )


@dataclass(frozen=True)
class VpcSpec:
    id: str
    cidr: str
    dns_support: bool
    dns_hostnames: bool


def vpc_spec(aws: AwsSession, vpc_id: str) -> VpcSpec:
    ec2 = aws.client("ec2")

    def read() -> VpcSpec:
        vpc = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]
        support = ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsSupport")
        hostnames = ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsHostnames")
        return VpcSpec(vpc_id, vpc.get("CidrBlock", ""),
                       bool(support.get("EnableDnsSupport", {}).get("Value")),
                       bool(hostnames.get("EnableDnsHostnames", {}).get("Value")))

    return _call("ec2:DescribeVpcs", vpc_id, read)


@dataclass(frozen=True)
class GroupRule:
    """One security-group rule with its id (sgr-...), the identity an IMPORT needs."""

    id: str
    group_id: str
    egress: bool
    protocol: str
    from_port: int
    to_port: int
    peer: str
    """The CIDR, the referenced group id or the prefix-list id."""
    description: str | None


def group_descriptions(aws: AwsSession, ids: list[str]) -> dict[str, str]:
    groups = _call("ec2:DescribeSecurityGroups", ",".join(ids), lambda: aws.client(
        "ec2").describe_security_groups(GroupIds=ids)["SecurityGroups"])
    return {g["GroupId"]: g.get("Description", "") for g in groups}


def group_rules(aws: AwsSession, ids: list[str]) -> list[GroupRule]:
    answer = _call("ec2:DescribeSecurityGroupRules", ",".join(ids), lambda: aws.client(
        "ec2").describe_security_group_rules(
        Filters=[{"Name": "group-id", "Values": ids}])["SecurityGroupRules"])
    rules = []
    for r in answer:
        protocol = str(r.get("IpProtocol", "-1"))
        low, high = (0, 65535) if protocol == "-1" else (r.get("FromPort", 0), r.get("ToPort", 0))
        peer = (r.get("CidrIpv4") or r.get("CidrIpv6") or r.get("PrefixListId")
                or (r.get("ReferencedGroupInfo") or {}).get("GroupId") or "")
        rules.append(GroupRule(r.get("SecurityGroupRuleId", ""), r.get("GroupId", ""),
                               bool(r.get("IsEgress")), protocol, int(low), int(high), peer,
                               r.get("Description")))
    return rules


def load_balancer_attributes(aws: AwsSession, arn: str) -> dict[str, str]:
    answer = _call("elasticloadbalancing:DescribeLoadBalancerAttributes", arn, lambda: aws.client(
        "elbv2").describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"])
    return {a["Key"]: a.get("Value", "") for a in answer if "Key" in a}
