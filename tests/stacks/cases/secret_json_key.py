"""A Secrets Manager secret referenced by JSON key (ARN:password::), granted on the secret's ARN."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape
from tests.stacks.webapp import build as build_web


def build(c: Console) -> None:
    build_web(c, Shape("ledger", secrets=("sm-json-key",)))
