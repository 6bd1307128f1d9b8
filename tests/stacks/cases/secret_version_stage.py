"""A Secrets Manager secret referenced by version stage (ARN:::AWSCURRENT)."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape
from tests.stacks.webapp import build as build_web


def build(c: Console) -> None:
    build_web(c, Shape("vault", secrets=("sm-stage",), rds=False))
