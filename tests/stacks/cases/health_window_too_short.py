"""grace 0 and a 2 x 5 s unhealthy window, while the container declares a 60 s startPeriod: tasks
are killed before they can answer."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape
from tests.stacks.webapp import build as build_web


def build(c: Console) -> None:
    build_web(c, Shape("hasty", container_health=True, start_period=60, grace=0, interval=5,
                       timeout=4, unhealthy=2))
