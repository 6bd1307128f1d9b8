"""What `shipit export` read from the running stack: typed, with where each piece came from.

The builder (template.py) is a pure function of a ``StackSnapshot``; gather.py fills one from
AWS. A test can hand-make one. Task definitions stay the ECS API's mapping: CloudFormation
takes the same shape (keys capitalised), so a typed copy would only lose fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from shipit.aws.ec2 import Network, SecurityGroup
from shipit.aws.ecs import Service
from shipit.aws.elbv2 import LoadBalancer, TargetGroup
from shipit.aws.iam import Role
from shipit.aws.logs import LogGroup
from shipit.aws.route53 import HostedZone, RecordSet
from shipit.aws.stack_reads import (
    DatabaseSpec,
    GroupRule,
    HealthCheck,
    ListenerSpec,
    ServiceSettings,
    VpcSpec,
)


@dataclass(frozen=True)
class Website:
    bucket: str
    index: str | None
    source: str


@dataclass(frozen=True)
class Alias:
    zone: HostedZone
    records: tuple[RecordSet, ...]
    """The A (and AAAA) alias records naming the load balancer."""


@dataclass(frozen=True)
class StackSnapshot:
    """The running stack of one environment, as read (read-only calls)."""

    region: str
    account: str
    env: str | None
    endpoint: str | None
    cluster: str
    cluster_insights: str | None
    service: Service
    service_settings: ServiceSettings
    task_definition: Mapping[str, Any]
    main_container: str
    vpc: VpcSpec
    security_groups: Mapping[str, SecurityGroup]
    group_descriptions: Mapping[str, str]
    group_rules: tuple[GroupRule, ...]
    execution_role: Role | None = None
    task_role: Role | None = None
    log_groups: tuple[LogGroup, ...] = ()
    target_groups: tuple[TargetGroup, ...] = ()
    health_checks: Mapping[str, HealthCheck] = field(default_factory=dict)
    load_balancer: LoadBalancer | None = None
    load_balancer_attributes: Mapping[str, str] = field(default_factory=dict)
    listeners: tuple[ListenerSpec, ...] = ()
    database: DatabaseSpec | None = None
    alias: Alias | None = None
    website: Website | None = None
    url: str | None = None
    network: Network | None = None
    """The VPC's subnets, route tables, ACLs and gateways (--include-network only)."""
    sources: Mapping[str, str] = field(default_factory=dict)
    """Physical id (or name) -> the read it came from, for the template's comments."""
