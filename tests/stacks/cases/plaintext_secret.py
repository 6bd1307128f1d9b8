"""A password in plain environment beside a proper secret."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape
from tests.stacks.webapp import build as build_web


def build(c: Console) -> None:
    build_web(c, Shape("leaky", env={"DB_PASSWORD": "planted-plain-s3cret", "LOG_LEVEL": "info"},
                       secrets=("sm-json-key",)))
