"""The RDS instance is publicly accessible and its group admits 0.0.0.0/0 on 5432."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape
from tests.stacks.webapp import build as build_web


def build(c: Console) -> None:
    built = build_web(c, Shape("exposed", rds=False))
    group = c.security_group("exposed-db-sg", built.network.vpc,
                             [(5432, "0.0.0.0/0"), (5432, built.service_group)])
    host = c.database("exposed-db", built.network.public, [group], public=True)
    ecs = c.client("ecs")
    current = ecs.describe_task_definition(taskDefinition="exposed")["taskDefinition"]
    containers = current["containerDefinitions"]
    containers[0]["environment"].append(
        {"name": "DATABASE_URL", "value": f"postgresql://app@{host}:5432/exposed"})
    keep = ("family", "networkMode", "requiresCompatibilities", "cpu", "memory",
            "executionRoleArn", "runtimePlatform")
    arn = ecs.register_task_definition(containerDefinitions=containers,
                                       **{k: current[k] for k in keep if k in current})
    ecs.update_service(cluster="exposed-cluster", service="exposed-service",
                       taskDefinition=arn["taskDefinition"]["taskDefinitionArn"])
