"""A Docker Hub image of a user namespace (bitnami/nginx:1.27)."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape
from tests.stacks.webapp import build as build_web


def build(c: Console) -> None:
    build_web(c, Shape("edge", image="dockerhub-user", rds=False))
