"""The service's target group is behind two ALBs (a new one built beside the old one)."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape
from tests.stacks.webapp import build as build_web


def build(c: Console) -> None:
    built = build_web(c, Shape("twin", rds=False, dns="none"))
    second = c.alb("twin-alb-new", list(built.network.public[:2]), [built.alb_group])
    c.listener(second["arn"], 80, {"Type": "forward", "TargetGroupArn": built.target_group})
    zone = c.zone("example.com")
    c.alias(zone, "api.example.com", second)
