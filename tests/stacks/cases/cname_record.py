"""The name is a CNAME to the ALB (not an alias)."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape
from tests.stacks.webapp import build as build_web


def build(c: Console) -> None:
    build_web(c, Shape("legacy", dns="cname"))
