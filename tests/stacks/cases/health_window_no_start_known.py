"""grace 0 and a 2 x 5 s unhealthy window without a container healthCheck: a task must answer
within ~10 s of registration."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape
from tests.stacks.webapp import build as build_web


def build(c: Console) -> None:
    build_web(c, Shape("twitchy", grace=0, interval=5, timeout=4, unhealthy=2))
