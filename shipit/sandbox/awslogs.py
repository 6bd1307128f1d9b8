"""The awslogs driver stand-in: each task's lines into its CloudWatch stream, as ECS names it.

Stream name: ``<awslogs-stream-prefix>/<container name>/<task id>``. Lines are written to the
in-process moto logs backend at once (no batching delay), so ``shipit logs`` sees them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shipit.aws.logs import stream_name
from shipit.sandbox import moto_world
from shipit.sandbox.names import ACCOUNT_ID


def stream_for(container: dict[str, Any], task_id: str) -> tuple[str, str, str] | None:
    """(region, group, stream) for a container with an awslogs configuration, else None."""
    config = container.get("logConfiguration") or {}
    if config.get("logDriver") != "awslogs":
        return None
    options = config.get("options") or {}
    group = options.get("awslogs-group")
    if not group:
        return None
    name = stream_name(options.get("awslogs-stream-prefix"), container["name"], task_id)
    return options.get("awslogs-region", ""), group, name


def writer(region: str, group: str, stream: str) -> Callable[[str], None]:
    """A function that appends one line to the stream (creating it first)."""
    write = moto_world.log_stream_writer(ACCOUNT_ID, region, group, stream)
    # awslogs-create-group is not set and the group is missing: ECS would fail the task;
    # keep the lines nowhere.
    return write or (lambda line: None)
