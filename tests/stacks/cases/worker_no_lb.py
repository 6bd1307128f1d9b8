"""A queue worker: one essential container, no load balancer, no port, no DNS."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape
from tests.stacks.webapp import build as build_web


def build(c: Console) -> None:
    build_web(c, Shape("jobs", load_balancer=False, dns="none", origins=(), cors_variable=None,
                       env={"QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/jobs"}))
