"""An official Docker Hub image (nginx:1.27, i.e. docker.io/library/nginx): nothing in ECR to
inspect."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape
from tests.stacks.webapp import build as build_web


def build(c: Console) -> None:
    build_web(c, Shape("proxy", image="dockerhub", rds=False, secrets=()))
