"""A healthy stack as the console's wizards leave it: VPC wizard (public + private subnets, NAT,
S3 endpoint), ecsTaskExecutionRole, an ALB on HTTP, `ecs-<cluster>-<service>` target group,
an image by tag from this account's ECR, a Secrets Manager secret, RDS, an alias record."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape
from tests.stacks.webapp import build as build_web


def build(c: Console) -> None:
    build_web(c, Shape("orders", env={"LOG_LEVEL": "info", "PORT": "8080"}))
