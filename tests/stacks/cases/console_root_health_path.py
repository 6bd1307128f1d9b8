"""The target group keeps the console's default health check path '/' (the app answers it)."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape
from tests.stacks.webapp import build as build_web


def build(c: Console) -> None:
    build_web(c, Shape("homepage", health_path="/", rds=False))
