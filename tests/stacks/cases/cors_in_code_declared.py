"""The service configures CORS in its code and shipit.toml says so (http.cors_variable = ""): the
live preflight alone judges CORS."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape
from tests.stacks.webapp import build as build_web


def build(c: Console) -> None:
    build_web(c, Shape("coded", cors_variable=None))
