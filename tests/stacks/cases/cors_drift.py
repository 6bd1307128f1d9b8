"""The task definition's CORS_ALLOWED_ORIGINS lists one origin, shipit.toml two; the service
allows both anyway (it also reads a second list): drift, not a refusal."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape
from tests.stacks.webapp import build as build_web


def build(c: Console) -> None:
    build_web(c, Shape("drifty", rds=False, origins=("https://app.example.com",)))
