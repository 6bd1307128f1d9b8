"""What doctor knows about an environment: small typed facts, and the Snapshot that holds them.

Each gathered piece is a ``Fact``: a value, or the reason there is none. Checks are pure functions
over a Snapshot, so a test can hand-make one; ``Fact.need()`` turns a missing dependency into a
``skip`` (nothing to inspect) or an ``error`` (the read itself failed) for the runner.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar

from shipit.aws.ec2 import AclEntry as AclEntry
from shipit.aws.ec2 import Endpoint as Endpoint
from shipit.aws.ec2 import InternetGateway as InternetGateway
from shipit.aws.ec2 import NatGateway as NatGateway
from shipit.aws.ec2 import Network as Network
from shipit.aws.ec2 import NetworkAcl as NetworkAcl
from shipit.aws.ec2 import Peering as Peering
from shipit.aws.ec2 import Route as Route
from shipit.aws.ec2 import RouteTable as RouteTable
from shipit.aws.ec2 import Rule as Rule
from shipit.aws.ec2 import SecurityGroup as SecurityGroup
from shipit.aws.ec2 import Subnet as Subnet
from shipit.aws.ecr import Image as Image
from shipit.aws.ecr import Repository as Repository
from shipit.aws.ecs import Service as Service
from shipit.aws.ecs import Task as Task
from shipit.aws.elbv2 import Action as Action
from shipit.aws.elbv2 import Listener as Listener
from shipit.aws.elbv2 import ListenerRule as ListenerRule
from shipit.aws.elbv2 import LoadBalancer as LoadBalancer
from shipit.aws.elbv2 import TargetGroup as TargetGroup
from shipit.aws.elbv2 import TargetHealth as TargetHealth
from shipit.aws.iam import Role as Role
from shipit.aws.iam import Statement as Statement
from shipit.aws.identity import Identity as Identity
from shipit.aws.logs import LogGroup as LogGroup
from shipit.aws.rds import Database as Database
from shipit.aws.route53 import HostedZone as HostedZone
from shipit.aws.route53 import RecordSet as RecordSet
from shipit.aws.secrets import SecretRef as SecretRef
from shipit.aws.task_definitions import Container as Container
from shipit.aws.task_definitions import PortMapping as PortMapping
from shipit.aws.task_definitions import TaskDefinition as TaskDefinition
from shipit.defaults import DEFAULT_HEALTH_PATH

T = TypeVar("T")
FactState = Literal["ok", "unset", "absent", "unavailable", "error"]


class Unavailable(Exception):
    """A check cannot judge because a fact is missing; the runner reports skip or error."""

    def __init__(self, reason: str, *, error: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.error = error


@dataclass(frozen=True)
class Fact(Generic[T]):
    """One gathered value, or why there is none.

    unset: not configured; absent: configured but does not exist; unavailable: a fact it depends
    on is missing; error: the read failed (message carries the hint).
    """

    state: FactState
    value: T | None = None
    reason: str = ""

    @classmethod
    def ok(cls, value: T) -> Fact[T]:
        return cls("ok", value)

    @classmethod
    def unset(cls, reason: str) -> Fact[T]:
        return cls("unset", None, reason)

    @classmethod
    def absent(cls, reason: str) -> Fact[T]:
        return cls("absent", None, reason)

    @classmethod
    def unavailable(cls, reason: str) -> Fact[T]:
        return cls("unavailable", None, reason)

    @classmethod
    def failed(cls, reason: str) -> Fact[T]:
        return cls("error", None, reason)

    def need(self) -> T:
        """The value, or raise Unavailable (skip, or error when the read failed)."""
        if self.state == "ok" and self.value is not None:
            return self.value
        raise Unavailable(self.reason or "not gathered", error=self.state == "error")


@dataclass(frozen=True)
class ProbeRoute:
    """In an emulated AWS, names cannot resolve: send requests for ``host`` to ``address``."""

    host: str
    address: str


@dataclass
class Snapshot:
    """Everything doctor gathered about one environment; all checks read only this (and probes)."""

    env: str | None
    region: str
    account_id: str | None = None
    """The account shipit.toml expects (aws.account_id), when it names one."""
    health_path: str = DEFAULT_HEALTH_PATH
    http_url: str | None = None
    cors_origins: tuple[str, ...] = ()
    cluster: str | None = None
    container_name: str | None = None
    image_registry: str | None = None
    dns_name: str | None = None
    env_var_names: Mapping[str, frozenset[str]] = field(default_factory=dict)
    routes: tuple[ProbeRoute, ...] = ()
    identity: Fact[Identity] = field(default_factory=lambda: Fact.unset("not gathered"))
    repository: Fact[Repository] = field(default_factory=lambda: Fact.unset("not gathered"))
    service: Fact[Service] = field(default_factory=lambda: Fact.unset("not gathered"))
    task_definition: Fact[TaskDefinition] = field(
        default_factory=lambda: Fact.unset("not gathered")
    )
    image: Fact[Image] = field(default_factory=lambda: Fact.unset("not gathered"))
    stopped_tasks: Fact[tuple[Task, ...]] = field(
        default_factory=lambda: Fact.unset("not gathered")
    )
    log_group: Fact[LogGroup] = field(default_factory=lambda: Fact.unset("not gathered"))
    target_groups: Fact[tuple[TargetGroup, ...]] = field(
        default_factory=lambda: Fact.unset("not gathered")
    )
    target_health: Fact[Mapping[str, tuple[TargetHealth, ...]]] = field(
        default_factory=lambda: Fact.unset("not gathered")
    )
    load_balancer: Fact[LoadBalancer] = field(default_factory=lambda: Fact.unset("not gathered"))
    security_groups: Fact[Mapping[str, SecurityGroup]] = field(
        default_factory=lambda: Fact.unset("not gathered")
    )
    subnet_vpcs: Fact[Mapping[str, str]] = field(
        default_factory=lambda: Fact.unset("not gathered")
    )
    network: Fact[Network] = field(default_factory=lambda: Fact.unset("not gathered"))
    """Subnets, route tables, NACLs, endpoints, peerings and gateways of the stack's VPCs."""
    listeners: Fact[tuple[Listener, ...]] = field(
        default_factory=lambda: Fact.unset("not gathered")
    )
    database: Fact[Database] = field(default_factory=lambda: Fact.unset("not gathered"))
    execution_role: Fact[Role] = field(default_factory=lambda: Fact.unset("not gathered"))
    secrets: Fact[tuple[SecretRef, ...]] = field(default_factory=lambda: Fact.ok(()))
    """The task definition's secrets, looked up (never read)."""
    zone: Fact[HostedZone] = field(default_factory=lambda: Fact.unset("not gathered"))
    recent_5xx: Fact[Mapping[str, float]] = field(
        default_factory=lambda: Fact.unset("not gathered")
    )
    """Sums of the ALB's 5xx metrics over the last minutes (status's metrics, one call)."""
    records: Fact[tuple[RecordSet, ...]] = field(
        default_factory=lambda: Fact.unset("not gathered")
    )

    def route_for(self, host: str) -> str | None:
        for route in self.routes:
            if route.host.lower().rstrip(".") == host.lower().rstrip("."):
                return route.address
        return None
