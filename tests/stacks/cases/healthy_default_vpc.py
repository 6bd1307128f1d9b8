"""A healthy stack in the region's default VPC: tasks in its public subnets with a public IP (no
NAT), an image by digest, an alias without the dualstack. prefix, no database."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape
from tests.stacks.webapp import build as build_web


def build(c: Console) -> None:
    build_web(c, Shape("notes", network="default", task_subnets="public", image="ecr-digest",
                       dns="alias-plain", rds=False, env={"NODE_ENV": "production"}))
