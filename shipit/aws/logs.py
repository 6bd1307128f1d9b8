"""Typed reads of CloudWatch Logs for a task's awslogs stream, and the service's group."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shipit.aws.errors import translate

if TYPE_CHECKING:
    from shipit.aws.session import AwsSession


def stream_name(prefix: str | None, container: str, task_id: str) -> str:
    """The stream ECS's awslogs driver writes a task's container to: ``prefix/container/task``."""
    return f"{prefix}/{container}/{task_id}" if prefix else task_id


@dataclass(frozen=True)
class AwsLogsTarget:
    """Where a container's awslogs driver writes (from its logConfiguration)."""

    group: str
    region: str | None
    stream_prefix: str | None
    container: str

    def stream(self, task_id: str) -> str:
        return stream_name(self.stream_prefix, self.container, task_id)


@dataclass(frozen=True)
class LogEvent:
    timestamp: int  # epoch milliseconds
    message: str
    stream: str


def awslogs_target(container: dict[str, Any]) -> AwsLogsTarget | None:
    config = container.get("logConfiguration") or {}
    if config.get("logDriver") != "awslogs":
        return None
    options = config.get("options") or {}
    if not options.get("awslogs-group"):
        return None
    return AwsLogsTarget(
        group=options["awslogs-group"],
        region=options.get("awslogs-region"),
        stream_prefix=options.get("awslogs-stream-prefix"),
        container=container.get("name", ""),
    )


def stream_events(
    aws: AwsSession, group: str, stream: str, *, limit: int = 50, start_ms: int | None = None
) -> list[LogEvent]:
    """The newest ``limit`` events of one stream, oldest first ([] when it does not exist)."""
    client = aws.client("logs")
    kwargs: dict[str, Any] = {"logGroupName": group, "logStreamName": stream,
                              "limit": limit, "startFromHead": False}
    if start_ms is not None:
        kwargs["startTime"] = start_ms
    try:
        response = client.get_log_events(**kwargs)
    except Exception as exc:
        error = translate(exc, operation="logs:GetLogEvents", resource=f"{group}:{stream}")
        if getattr(error, "code", None) == "ResourceNotFoundException":
            return []
        raise error from None
    return [LogEvent(int(e["timestamp"]), str(e["message"]).rstrip("\n"), stream)
            for e in response.get("events", [])]


def filter_events(
    aws: AwsSession, group: str, *, stream_prefix: str | None = None,
    start_ms: int | None = None, pattern: str | None = None, limit: int = 1000,
) -> list[LogEvent]:
    """Events of the group (optionally of streams with ``stream_prefix``), oldest first."""
    client = aws.client("logs")
    kwargs: dict[str, Any] = {"logGroupName": group, "limit": min(limit, 10000)}
    if stream_prefix:
        kwargs["logStreamNamePrefix"] = stream_prefix
    if start_ms is not None:
        kwargs["startTime"] = start_ms
    if pattern:
        kwargs["filterPattern"] = f'"{pattern}"'
    events: list[LogEvent] = []
    try:
        while True:
            response = client.filter_log_events(**kwargs)
            events.extend(LogEvent(int(e["timestamp"]), str(e["message"]).rstrip("\n"),
                                   str(e.get("logStreamName", "")))
                          for e in response.get("events", []))
            token = response.get("nextToken")
            if not token or len(events) >= limit:
                break
            kwargs["nextToken"] = token
    except Exception as exc:
        raise translate(exc, operation="logs:FilterLogEvents", resource=group) from None
    return sorted(events, key=lambda e: e.timestamp)[-limit:]


@dataclass(frozen=True)
class LogGroup:
    name: str
    retention_days: int | None


def find_log_group(aws: AwsSession, name: str) -> LogGroup | None:
    """The log group named exactly ``name``, or None."""
    client = aws.client("logs")
    try:
        groups = client.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    except Exception as exc:
        raise translate(exc, operation="logs:DescribeLogGroups", resource=name) from None
    for group in groups:
        if group.get("logGroupName") == name:
            return LogGroup(name, group.get("retentionInDays"))
    return None
