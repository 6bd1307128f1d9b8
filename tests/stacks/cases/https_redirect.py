"""HTTPS on 443 with an ACM certificate; port 80 redirects to HTTPS."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape
from tests.stacks.webapp import build as build_web


def build(c: Console) -> None:
    build_web(c, Shape("secure", https=True))
