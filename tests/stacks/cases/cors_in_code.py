"""The service configures CORS in its code: no variable names the origins. shipit.toml lists an
origin, the task carries no CORS_ALLOWED_ORIGINS, the live preflight allows it: drift, never a
fail."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape
from tests.stacks.webapp import build as build_web


def build(c: Console) -> None:
    build_web(c, Shape("inline", cors_variable=None))
