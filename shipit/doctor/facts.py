"""What doctor knows about an environment: small typed facts, and the Snapshot that holds them.

Each gathered piece is a ``Fact``: a value, or the reason there is none. Checks are pure functions
over a Snapshot, so a test can hand-make one; ``Fact.need()`` turns a missing dependency into a
``skip`` (nothing to inspect) or an ``error`` (the read itself failed) for the runner.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar

from shipit.aws.ecr import Repository as Repository
from shipit.aws.ecs import Service as Service
from shipit.aws.ecs import Task as Task
from shipit.aws.elbv2 import LoadBalancer as LoadBalancer
from shipit.aws.elbv2 import TargetGroup as TargetGroup
from shipit.aws.elbv2 import TargetHealth as TargetHealth
from shipit.aws.identity import Identity as Identity
from shipit.aws.route53 import HostedZone as HostedZone
from shipit.aws.route53 import RecordSet as RecordSet
from shipit.aws.secrets import SecretRef as SecretRef

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
class Image:
    """The task's image as the registry holds it; platforms None when the manifest is opaque."""

    reference: str
    digest: str
    media_type: str
    platforms: tuple[str, ...] | None


@dataclass(frozen=True)
class PortMapping:
    container_port: int
    host_port: int | None
    protocol: str = "tcp"


@dataclass(frozen=True)
class Container:
    name: str
    image: str
    port_mappings: tuple[PortMapping, ...] = ()
    environment: tuple[tuple[str, str], ...] = ()
    secrets: tuple[tuple[str, str], ...] = ()
    """(name, valueFrom ARN) pairs injected by ECS, never plain environment."""
    log_driver: str | None = None
    log_options: Mapping[str, str] = field(default_factory=dict)
    essential: bool = True


@dataclass(frozen=True)
class TaskDefinition:
    arn: str
    family: str
    revision: int
    network_mode: str
    platform: str
    """linux/amd64 or linux/arm64, from runtimePlatform (Fargate's default is linux/amd64)."""
    execution_role_arn: str | None
    containers: tuple[Container, ...]

    def container(self, name: str | None) -> Container | None:
        for container in self.containers:
            if name is None or container.name == name:
                return container
        return None


@dataclass(frozen=True)
class Rule:
    """One security-group permission, flattened: a single source or destination."""

    protocol: str
    from_port: int
    to_port: int
    cidr: str | None = None
    group_id: str | None = None

    def covers_port(self, port: int) -> bool:
        if self.protocol in ("-1", "all"):
            return True
        return self.protocol in ("tcp", "6") and self.from_port <= port <= self.to_port


@dataclass(frozen=True)
class SecurityGroup:
    id: str
    name: str
    vpc_id: str
    ingress: tuple[Rule, ...] = ()
    egress: tuple[Rule, ...] = ()


@dataclass(frozen=True)
class Database:
    identifier: str
    engine: str
    address: str
    port: int
    publicly_accessible: bool
    vpc_id: str
    security_groups: tuple[str, ...]


@dataclass(frozen=True)
class Statement:
    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]


@dataclass(frozen=True)
class Role:
    name: str
    arn: str
    trusted_services: tuple[str, ...]
    statements: tuple[Statement, ...]
    unreadable_policies: tuple[str, ...] = ()


@dataclass(frozen=True)
class LogGroup:
    name: str
    retention_days: int | None


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
    health_path: str = "/api/health"
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
    database: Fact[Database] = field(default_factory=lambda: Fact.unset("not gathered"))
    execution_role: Fact[Role] = field(default_factory=lambda: Fact.unset("not gathered"))
    secrets: Fact[tuple[SecretRef, ...]] = field(default_factory=lambda: Fact.ok(()))
    """The task definition's secrets, looked up (never read)."""
    zone: Fact[HostedZone] = field(default_factory=lambda: Fact.unset("not gathered"))
    records: Fact[tuple[RecordSet, ...]] = field(
        default_factory=lambda: Fact.unset("not gathered")
    )

    def route_for(self, host: str) -> str | None:
        for route in self.routes:
            if route.host.lower().rstrip(".") == host.lower().rstrip("."):
                return route.address
        return None
