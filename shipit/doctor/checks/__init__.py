"""Every doctor check, in the order they are shown. Adding a check is adding one line here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from shipit.doctor.checks import (
    aws,
    config,
    cors_config,
    database,
    dns,
    ecr,
    ecs,
    egress,
    http,
    iam,
    image,
    ingress,
    lb,
    net,
    secrets,
)
from shipit.doctor.facts import Snapshot
from shipit.doctor.finding import Verdict
from shipit.doctor.probe import Prober

CheckFn = Callable[[Snapshot, Prober], Verdict]


@dataclass(frozen=True)
class Check:
    id: str
    title: str
    run: CheckFn


def _pure(fn: Callable[[Snapshot], Verdict]) -> CheckFn:
    def run(snapshot: Snapshot, probe: Prober) -> Verdict:
        return fn(snapshot)

    return run


CHECKS: tuple[Check, ...] = (
    Check("aws.identity", "credentials work; account and region", _pure(aws.identity)),
    Check("ecr.region", "the image's registry is in the configured region", _pure(ecr.region)),
    Check("ecr.repository", "repository exists, immutable tags, scan on push",
          _pure(ecr.repository)),
    Check("ecr.image", "the running task definition's image exists", _pure(ecr.image)),
    Check("image.platform", "the image holds the task's platform (exec format error)",
          _pure(image.platform)),
    Check("ecs.service", "active, running = desired, circuit breaker, no fatal stops",
          _pure(ecs.service)),
    Check("ecs.logs", "awslogs configured, log group exists, retention set", _pure(ecs.logs)),
    Check("ecs.ports", "container, target group and service ports agree", _pure(ecs.ports)),
    Check("lb.health_check", "dedicated health path answering 200, sane timings",
          lb.health_check),
    Check("lb.targets", "registered targets are healthy", _pure(lb.targets)),
    Check("net.internet_to_alb", "internet -> ALB: scheme, public routes, ACLs, groups, listener",
          _pure(ingress.internet_to_alb)),
    Check("net.alb_to_task", "ALB -> task: target group, groups, routes, ACLs on the port",
          _pure(net.alb_to_task)),
    Check("net.task_to_aws", "task -> ECR, S3, Logs, secrets: endpoints or NAT/IGW, groups, ACLs",
          _pure(egress.task_to_aws)),
    Check("net.task_to_db", "task -> database: host, routes/peering, ACLs, groups, state",
          _pure(database.task_to_db)),
    Check("db.exposure", "database not public, no 0.0.0.0/0 or ::/0 on its port",
          _pure(net.exposure)),
    Check("secrets.plaintext", "no secret-like values in plain environment",
          _pure(secrets.plaintext)),
    Check("iam.execution_role", "trusted by ecs-tasks; can pull, log, read secrets",
          _pure(iam.execution_role)),
    Check("http.health", "health path answers 200 via the name and via the ALB", http.health),
    Check("http.cors", "preflight allowed for each origin, refused for a foreign one", http.cors),
    Check("http.cors_config", "the task's http.cors_variable = http.cors_origins + web origin",
          cors_config.cors_config),
    Check("dns.alias", "alias A (and AAAA when dualstack) to this service's ALB",
          _pure(dns.alias)),
    Check("config.convergence", "every environment defines the same variable names",
          _pure(config.convergence)),
)

IDS: tuple[str, ...] = tuple(check.id for check in CHECKS)
