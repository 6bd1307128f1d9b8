"""Tasks in a subnet of us-east-1c while the ALB serves only us-east-1a and us-east-1b: targets
stay unused."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape
from tests.stacks.webapp import build as build_web


def build(c: Console) -> None:
    build_web(c, Shape("lopsided", task_subnets="other-az"))
