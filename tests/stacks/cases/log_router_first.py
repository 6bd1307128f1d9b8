"""A FireLens log router sidecar listed first; the app logs through it to CloudWatch."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape
from tests.stacks.webapp import build as build_web


def build(c: Console) -> None:
    build_web(c, Shape("tracing", log_router_first=True))
