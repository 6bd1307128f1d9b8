"""Split-horizon DNS: a public and a private zone of the same name, both aliasing the ALB."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape
from tests.stacks.webapp import build as build_web


def build(c: Console) -> None:
    build_web(c, Shape("splitview", dns="split"))
