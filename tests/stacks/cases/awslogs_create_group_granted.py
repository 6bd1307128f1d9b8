"""awslogs-create-group=true, no log group yet, and the execution role may create it: works;
the group it makes keeps logs forever."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape, grant_statements
from tests.stacks.webapp import build as build_web


def build(c: Console) -> None:
    shape = Shape("autolog2", create_log_group=True, rds=False, secrets=())
    shape.exec_extra = [*grant_statements([]), {
        "Effect": "Allow", "Action": ["logs:CreateLogGroup"],
        "Resource": "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/*"}]
    build_web(c, shape)
