"""An image from the GitHub container registry (ghcr.io/example-org/NAME:v1.4.2)."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape
from tests.stacks.webapp import build as build_web


def build(c: Console) -> None:
    build_web(c, Shape("billing", image="ghcr"))
