"""Two RDS instances admit the tasks; DATABASE_URL names one of them."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape
from tests.stacks.webapp import build as build_web


def build(c: Console) -> None:
    built = build_web(c, Shape("reports"))
    group = c.security_group("reports-replica-sg", built.network.vpc,
                             [(5432, built.service_group)])
    c.database("reports-replica", built.network.private, [group])
