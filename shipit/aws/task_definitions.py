"""A typed view of an ECS task definition: the parts doctor and the checks read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shipit.aws.session import AwsSession


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
    start_period: int | None = None
    """The container healthCheck's startPeriod (seconds), when it declares one."""
    log_router: bool = False
    """A FireLens log router (firelensConfiguration): it carries other containers' logs."""


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
    task_role_arn: str | None = None

    def container(self, name: str | None) -> Container | None:
        for container in self.containers:
            if name is None or container.name == name:
                return container
        return None


def parse_task_definition(raw: Mapping[str, Any]) -> TaskDefinition:
    """The parts of an ECS task definition (as DescribeTaskDefinition returns it) shipit reads."""
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
            start_period=c["healthCheck"].get("startPeriod") if "healthCheck" in c else None,
            log_router="firelensConfiguration" in c,
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
        task_role_arn=raw.get("taskRoleArn"),
    )


def read_task_definition(aws: AwsSession, arn: str) -> TaskDefinition:
    from shipit.aws.ecs import describe_task_definition

    return parse_task_definition(describe_task_definition(aws, arn))
