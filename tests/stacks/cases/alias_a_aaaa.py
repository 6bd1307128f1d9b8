"""An alias A and AAAA (with dualstack.) to a dualstack ALB."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape
from tests.stacks.webapp import build as build_web


def build(c: Console) -> None:
    build_web(c, Shape("sixes", dns="alias-aaaa", dualstack=True))
