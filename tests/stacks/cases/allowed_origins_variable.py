"""The service reads its origins from ALLOWED_ORIGINS, not CORS_ALLOWED_ORIGINS."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape
from tests.stacks.webapp import build as build_web


def build(c: Console) -> None:
    build_web(c, Shape("atlas", cors_variable="ALLOWED_ORIGINS",
                       origins=("https://app.example.com", "https://admin.example.com")))
