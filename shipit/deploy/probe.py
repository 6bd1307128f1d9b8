"""`shipit probe`: connectivity tested from inside the VPC, as a bastion would, without one.

    plan      the service's task definition, subnets, security groups and launch type; the
              targets: its database (the task's DATABASE_URL), the region's ECR API and
              registry, S3, CloudWatch Logs (+ Secrets Manager / SSM when the task uses them),
              and any --url
    run       ECS RunTask of that task definition, the container's command overridden by
              ``probe ...`` (sample_service/probe.py, shipped in the image)
    wait      until the task is STOPPED (a task that never ran says why: pull, secrets, ...)
    read      its lines from CloudWatch Logs (awslogs): one JSON line per target

In the sandbox (a loopback AWS endpoint) the regional endpoints are the sandbox's own: moto's
API endpoint, and the ECR data plane for the registry.
"""

from __future__ import annotations

import json
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from shipit.arn import parse_secret_source
from shipit.aws import ecs, logs
from shipit.errors import EnvironmentProblem, UsageError
from shipit.image_ref import split_image
from shipit.net import is_loopback_url
from shipit.types import Clock, Sleep

if TYPE_CHECKING:
    from shipit.aws.session import AwsSession
    from shipit.config import Settings

PREFIX = "shipit-probe "
STARTED_BY = "shipit-probe"


@dataclass(frozen=True)
class ProbeTarget:
    name: str
    kind: str  # tcp | http
    address: str  # host:port, or a URL

    def argv(self) -> list[str]:
        return [f"--{self.kind}", f"{self.name}={self.address}"]


@dataclass(frozen=True)
class TargetResult:
    target: str
    ok: bool
    steps: tuple[str, ...]
    failed_step: str | None
    error: str | None
    ms: float

    def to_dict(self) -> dict[str, Any]:
        return {"target": self.target, "ok": self.ok, "steps": list(self.steps),
                "failed_step": self.failed_step, "error": self.error, "ms": self.ms}


@dataclass
class ProbeReport:
    task_arn: str
    command: list[str]
    results: list[TargetResult] = field(default_factory=list)
    exit_code: int | None = None
    stopped_reason: str | None = None
    seconds: float = 0.0

    @property
    def task_id(self) -> str:
        return self.task_arn.rsplit("/", 1)[-1]

    @property
    def ok(self) -> bool:
        return bool(self.results) and all(r.ok for r in self.results) and self.exit_code == 0

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "task": self.task_id, "task_arn": self.task_arn,
                "command": self.command, "exit_code": self.exit_code,
                "stopped_reason": self.stopped_reason, "seconds": round(self.seconds, 2),
                "results": [r.to_dict() for r in self.results],
                "failed": [r.target for r in self.results if not r.ok]}


def targets(settings: Settings, region: str, image: str | None, secrets_from: set[str],
            urls: list[str]) -> list[ProbeTarget]:
    """What the task must reach to start and serve (the database is the probe's own)."""
    endpoint = settings.aws.endpoint_url
    if endpoint and is_loopback_url(endpoint):  # the sandbox: its AWS is moto, on loopback
        api = urllib.parse.urlsplit(endpoint).netloc
        registry = settings.image.registry or api
        hosts = {"ecr-api": api, "ecr-registry": registry, "s3": api, "logs": api,
                 "secretsmanager": api, "ssm": api}
    else:
        pulled = split_image(image or "")
        registry = pulled.host if pulled.ecr and pulled.host else \
            f"dkr.ecr.{region}.amazonaws.com"
        hosts = {"ecr-api": f"api.ecr.{region}.amazonaws.com:443",
                 "ecr-registry": f"{registry}:443", "s3": f"s3.{region}.amazonaws.com:443",
                 "logs": f"logs.{region}.amazonaws.com:443",
                 "secretsmanager": f"secretsmanager.{region}.amazonaws.com:443",
                 "ssm": f"ssm.{region}.amazonaws.com:443"}
    wanted = ["ecr-api", "ecr-registry", "s3", "logs", *sorted(secrets_from)]
    found = [ProbeTarget(name, "tcp", hosts[name]) for name in wanted]
    found += [ProbeTarget(f"url{n}" if len(urls) > 1 else "url", "http", url)
              for n, url in enumerate(urls, 1)]
    return found


def check_probe_url(url: str) -> str:
    """``url`` when it is an http(s) URL with a host; else a UsageError (exit 2): the probe
    task fetches it, and ``file:``, ``ftp:`` or ``data:`` have no place there."""
    try:
        parts = urllib.parse.urlsplit(url.strip())
        host = parts.hostname
    except ValueError:  # an unclosed [IPv6 bracket
        host = None
    if host is None or parts.scheme.lower() not in ("http", "https"):
        raise UsageError(f"--url {url[:80]!r} is not an http(s) URL with a host",
                         hint="use e.g. --url https://api.example.com/health")
    return url


@dataclass(frozen=True)
class ProbeOptions:
    """What `shipit probe` is asked; the service, its network and secrets come from settings."""

    env: str | None = None
    """The environment's name, for messages (None: the base of shipit.toml)."""
    urls: tuple[str, ...] = ()
    """Also GET these from inside the task."""
    timeout: float = 300.0
    interval: float | None = None
    """Seconds between polls; None: the endpoint's pace (``default_interval``)."""


def run(settings: Settings, aws: AwsSession, options: ProbeOptions, *,
        progress: Callable[[str], None] = lambda line: None, clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep) -> ProbeReport:
    """`shipit probe` as a library call: a one-off task of the service that tests its reach."""
    from shipit.deploy.settings import default_interval, require_service

    cluster, service, container = require_service(settings, options.env)
    return run_probe(aws, settings, cluster, service, container, urls=list(options.urls),
                     timeout=options.timeout,
                     interval=options.interval or default_interval(settings), clock=clock,
                     sleep=sleep, progress=progress)


def run_probe(aws: AwsSession, settings: Settings, cluster: str, service: str, container: str,
              *, urls: list[str], timeout: float = 300.0, interval: float = 1.0,
              clock: Clock = time.monotonic,
              sleep: Sleep = time.sleep,
              progress: Callable[[str], None] = lambda line: None) -> ProbeReport:
    began = clock()
    described = ecs.describe_service(aws, cluster, service)
    definition = ecs.describe_task_definition(aws, described.task_definition)
    spec = next((c for c in definition.get("containerDefinitions", [])
                 if c.get("name") == container), None)
    if spec is None:
        raise UsageError(f"the task definition {described.task_definition} has no container"
                         f" {container!r}", hint="check ecs.container in shipit.toml")
    where = logs.awslogs_target(spec)
    if where is None:
        raise UsageError(f"container {container!r} has no awslogs log configuration: the"
                         " probe's answer could not be read back",
                         hint="give the container an awslogs logConfiguration")
    secrets_from: set[str] = {parse_secret_source(s.get("valueFrom", "")).kind
                    for s in spec.get("secrets") or []}
    found = targets(settings, aws.region, spec.get("image"), secrets_from, urls)
    command = ["probe", *[arg for t in found for arg in t.argv()]]
    progress(f"RunTask {described.task_definition.rsplit('/', 1)[-1]} in the service's subnets"
             f" and security groups: {' '.join(command)}")
    arn = ecs.run_task(aws, cluster, described.task_definition, service=described,
                       container=container, command=command, started_by=STARTED_BY)
    report = ProbeReport(arn, command)
    progress(f"task {report.task_id} started; waiting for it to stop")
    task = _wait_stopped(aws, cluster, arn, began + timeout, interval, clock, sleep)
    first = task.container(container) or (task.containers[0] if task.containers else None)
    report.exit_code = first.exit_code if first else None
    report.stopped_reason = task.stopped_reason
    lines = logs.stream_events(aws, where.group, where.stream(report.task_id), limit=200)
    report.results = parse_lines([e.message for e in lines])
    report.seconds = clock() - began
    return report


def parse_lines(lines: list[str]) -> list[TargetResult]:
    results = []
    for line in lines:
        if not line.startswith(PREFIX):
            continue
        try:
            data = json.loads(line[len(PREFIX):])
        except ValueError:
            continue
        if isinstance(data, dict) and "target" in data:
            results.append(TargetResult(
                str(data["target"]), bool(data.get("ok")), tuple(data.get("steps") or ()),
                data.get("failed_step"), data.get("error"), float(data.get("ms") or 0)))
    return results


def _wait_stopped(aws: AwsSession, cluster: str, arn: str, deadline: float, interval: float,
                  clock: Clock, sleep: Sleep) -> ecs.Task:
    last = "PROVISIONING"
    while True:
        task = ecs.describe_task(aws, cluster, arn)
        if task is not None:
            last = task.last_status
            if task.last_status == "STOPPED":
                return task
        if clock() >= deadline:
            raise EnvironmentProblem(
                f"the probe task {arn.rsplit('/', 1)[-1]} did not stop in time (last seen"
                f" {last})", hint="`shipit status` and `shipit logs --task ID` show where it is")
        sleep(interval)
