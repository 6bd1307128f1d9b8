"""Fargate on ARM64 (Graviton) with an arm64-only image index in ECR."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape
from tests.stacks.webapp import build as build_web


def build(c: Console) -> None:
    build_web(c, Shape("graviton", arch="ARM64"))
