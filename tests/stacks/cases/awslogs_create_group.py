"""The console's task definition: awslogs-create-group=true and no log group yet; the execution
role is the console's (AmazonECSTaskExecutionRolePolicy), which does not allow
logs:CreateLogGroup: tasks stop with ResourceInitializationError."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape
from tests.stacks.webapp import build as build_web


def build(c: Console) -> None:
    build_web(c, Shape("autolog", create_log_group=True, rds=False))
