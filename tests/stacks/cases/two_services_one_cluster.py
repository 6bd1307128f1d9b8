"""Two services in one cluster, each behind its own ALB (ambiguous: init needs --service)."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape
from tests.stacks.webapp import build as build_web


def build(c: Console) -> None:
    build_web(c, Shape("shop", cluster="prod", service="shop-api", rds=False, dns="none"))
    build_web(c, Shape("blog", cluster="prod", service="blog-api", network="default",
                       task_subnets="public", rds=False, dns="none", secrets=()))
