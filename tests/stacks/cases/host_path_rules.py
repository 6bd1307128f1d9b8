"""HTTPS listener whose default action is a fixed 404; a rule by host and path forwards to the
service."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape
from tests.stacks.webapp import build as build_web


def build(c: Console) -> None:
    build_web(c, Shape("routed", https=True, listener_rules=True))
