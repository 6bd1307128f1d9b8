"""Which log streams `shipit logs` reads, and reading or following them (clock injected)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shipit.aws import ecs
from shipit.aws import logs as cwlogs
from shipit.errors import UsageError
from shipit.types import Clock, Sleep

if TYPE_CHECKING:
    from shipit.aws.session import AwsSession
    from shipit.config import Settings


@dataclass(frozen=True)
class LogOptions:
    """What `shipit logs` is asked; the service comes from the settings."""

    since: float
    """How far back, in seconds."""
    env: str | None = None
    """The environment's name, for messages (None: the base of shipit.toml)."""
    text: str | None = None
    task: str | None = None
    """A task id (default: the newest task's stream)."""
    all_tasks: bool = False

    def query(self, settings: Settings) -> LogQuery:
        from shipit.deploy.settings import require_service

        cluster, service, container = require_service(settings, self.env)
        return LogQuery(cluster, service, container, since=self.since, text=self.text,
                        task=self.task, all_tasks=self.all_tasks)


def run(settings: Settings, aws: AwsSession, options: LogOptions, *, now: float) -> LogsFound:
    """`shipit logs` as a library call: the lines since ``options.since`` before ``now``."""
    return read_logs(aws, options.query(settings), now=now)


def follow(settings: Settings, aws: AwsSession, options: LogOptions, *, clock: Clock,
           sleep: Sleep) -> Iterator[TaskLine]:
    """`shipit logs --follow`: lines as they arrive, until interrupted."""
    return follow_logs(aws, options.query(settings), clock=clock, sleep=sleep)


@dataclass(frozen=True)
class LogQuery:
    cluster: str
    service: str
    container: str
    since: float
    text: str | None = None
    task: str | None = None
    all_tasks: bool = False


@dataclass(frozen=True)
class TaskLine:
    timestamp: int
    stream: str
    message: str

    def line(self) -> str:
        return f"[{self.stream.rsplit('/', 1)[-1][:8]}] {self.message}"


@dataclass(frozen=True)
class LogsFound:
    group: str
    streams: list[str]
    events: list[TaskLine]

    def to_dict(self) -> dict[str, Any]:
        return {"group": self.group, "streams": self.streams,
                "events": [{"timestamp": e.timestamp, "stream": e.stream, "message": e.message}
                           for e in self.events]}


def read_logs(aws: AwsSession, query: LogQuery, *, now: float) -> LogsFound:
    group, prefix, streams = _streams(aws, query)
    start = int((now - query.since) * 1000)
    events: list[TaskLine] = []
    if query.all_tasks:
        found = cwlogs.filter_events(aws, group, stream_prefix=prefix, start_ms=start,
                                     pattern=query.text)
        events = [TaskLine(e.timestamp, e.stream, e.message) for e in found]
    else:
        for stream in streams:
            for event in cwlogs.stream_events(aws, group, stream, limit=10000, start_ms=start):
                if query.text is None or query.text in event.message:
                    events.append(TaskLine(event.timestamp, stream, event.message))
    events.sort(key=lambda e: e.timestamp)
    return LogsFound(group, streams, events)


def follow_logs(
    aws: AwsSession, query: LogQuery, *, clock: Clock,
    sleep: Sleep, interval: float = 1.0,
) -> Iterator[TaskLine]:
    """Yield lines as they arrive, until interrupted (Ctrl-C)."""
    seen: set[tuple[int, str, str]] = set()
    since = query.since
    while True:
        found = read_logs(aws, LogQuery(**{**query.__dict__, "since": since}), now=clock())
        for event in found.events:
            key = (event.timestamp, event.stream, event.message)
            if key not in seen:
                seen.add(key)
                yield event
        since = interval * 5 + 60
        sleep(interval)


def _streams(aws: AwsSession, query: LogQuery) -> tuple[str, str | None, list[str]]:
    service = ecs.describe_service(aws, query.cluster, query.service)
    definition = ecs.describe_task_definition(aws, service.task_definition)
    container = next((c for c in definition.get("containerDefinitions", [])
                      if c.get("name") == query.container), None)
    target = cwlogs.awslogs_target(container) if container else None
    if target is None:
        raise UsageError(
            f"container {query.container!r} of {service.task_definition} has no awslogs"
            " configuration", hint="add logConfiguration (logDriver awslogs) to the container",
        )
    prefix = f"{target.stream_prefix}/{target.container}/" if target.stream_prefix else None
    if query.task:
        return target.group, prefix, [target.stream(query.task)]
    tasks = ecs.list_service_tasks(aws, query.cluster, query.service)
    running = [t for t in tasks if t.last_status == "RUNNING"]
    newest = (running or tasks)[:1]
    return target.group, prefix, [target.stream(t.id) for t in newest]
