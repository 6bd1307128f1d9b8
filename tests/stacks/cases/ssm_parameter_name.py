"""An SSM parameter referenced by bare name (ECS accepts it in the task's own region)."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape
from tests.stacks.webapp import build as build_web


def build(c: Console) -> None:
    build_web(c, Shape("tokens", secrets=("ssm-name",), rds=False))
