"""The ids and ARNs of the reference stack, as ``create_stack`` returns them and the daemon
writes them under ``"stack"`` in state.json (``sandbox status --json`` shows the same keys).

TypedDicts, not dataclasses: the document is JSON written by one process and read by others, and
its keys are its contract. ``shipit.sandbox.state.read_state`` validates a file against them.
"""

from __future__ import annotations

# pydantic validates TypedDicts from typing_extensions only, before Python 3.12.
from typing_extensions import TypedDict


class TierIds(TypedDict):
    """One id per subnet tier (route tables, network ACLs)."""

    public: str
    tasks: str
    db: str


class SecurityGroupIds(TypedDict):
    alb: str
    tasks: str
    db: str


class NetworkIds(TypedDict):
    """What ``shipit.sandbox.network.create_network`` made: the VPC and its three tiers."""

    vpc_id: str
    internet_gateway_id: str
    nat_gateway_id: str
    public_subnet_ids: list[str]
    task_subnet_ids: list[str]
    db_subnet_ids: list[str]
    route_tables: TierIds
    network_acls: TierIds


class DatabaseIds(TypedDict):
    identifier: str
    arn: str | None
    address: str
    port: int


class ImageIds(TypedDict):
    """The ECR repository and the initial two-platform image the service starts from."""

    repository_uri: str
    repository_arn: str
    digest: str
    ref: str
    """``<registry>/<repository>@<digest>``: what the first task definition runs."""


class LoadBalancerIds(TypedDict):
    load_balancer_arn: str
    load_balancer_dns: str
    target_group_arn: str
    listener_arn: str


class ServiceIds(TypedDict):
    cluster_arn: str
    task_definition_arn: str
    """The service's first revision."""


class StackIds(NetworkIds, LoadBalancerIds, ServiceIds):
    """Every resource of the reference stack: network, groups, database, image, ALB, ECS, DNS."""

    subnet_ids: list[str]
    """The tasks' subnets (the service's awsvpc configuration)."""
    security_groups: SecurityGroupIds
    db: DatabaseIds
    secret_arn: str
    image: ImageIds
    execution_role_arn: str
    log_group: str
    hosted_zone_id: str
    vars: dict[str, str]
    """The first task definition's environment (DATABASE_URL, CORS_ALLOWED_ORIGINS, ...)."""
