"""A container healthCheck with a 60 s startPeriod, grace 120 s, target group every 30 s x 2: the
window covers the start."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape
from tests.stacks.webapp import build as build_web


def build(c: Console) -> None:
    build_web(c, Shape("slowstart", container_health=True, start_period=60, grace=120))
