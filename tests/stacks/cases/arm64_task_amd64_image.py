"""An ARM64 task whose image holds only linux/amd64: tasks die with exec format error."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape
from tests.stacks.webapp import build as build_web


def build(c: Console) -> None:
    build_web(c, Shape("mixed", arch="ARM64", image_arches=("amd64",)))
