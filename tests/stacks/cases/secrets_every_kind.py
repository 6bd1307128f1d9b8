"""Secrets by every reference ECS accepts: whole secret, JSON key, version stage, SSM ARN and SSM
name."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape
from tests.stacks.webapp import build as build_web


def build(c: Console) -> None:
    build_web(c, Shape("kitchen", secrets=("sm-whole", "sm-json-key", "sm-stage", "ssm-arn",
                                          "ssm-name")))
