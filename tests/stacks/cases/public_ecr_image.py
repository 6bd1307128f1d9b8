"""An image from the public ECR gallery (public.ecr.aws/example/NAME:latest)."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape
from tests.stacks.webapp import build as build_web


def build(c: Console) -> None:
    build_web(c, Shape("gallery", image="public-ecr", rds=False))
