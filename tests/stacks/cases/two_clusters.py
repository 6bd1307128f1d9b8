"""Two clusters (staging and production) with one service each (init needs --cluster)."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape
from tests.stacks.webapp import build as build_web


def build(c: Console) -> None:
    build_web(c, Shape("stage", cluster="staging", service="api", container="api", rds=False,
                       dns="none", secrets=()))
    build_web(c, Shape("live", cluster="production", service="api", container="api",
                       network="default", task_subnets="public", zone="example.org"))
