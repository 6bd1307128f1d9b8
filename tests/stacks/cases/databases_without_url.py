"""Two RDS instances admit the tasks and no DATABASE_URL says which (init needs --rds)."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape
from tests.stacks.webapp import build as build_web


def build(c: Console) -> None:
    built = build_web(c, Shape("analytics", rds=False, env={"DB_HOST_FROM": "parameter"}))
    for name in ("analytics-a", "analytics-b"):
        group = c.security_group(f"{name}-sg", built.network.vpc, [(5432, built.service_group)])
        c.database(name, built.network.private, [group])
