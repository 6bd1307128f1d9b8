"""What the task definition and the service say beyond names: the health check a service
without a load balancer runs, the platform, and the facts no shipit.toml key holds (ports,
cpu/memory, log group, grace period), listed by --explain with why they are not written."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from shipit.adopt.model import Discovery

if TYPE_CHECKING:
    from shipit.aws import ecs
    from shipit.aws.task_definitions import TaskDefinition
    from shipit.config import Settings
    from shipit.doctor.facts import Container

DEFAULT_PLATFORMS = ("linux/amd64", "linux/arm64")
_LOCAL_URL = re.compile(r"https?://(?:localhost|127\.0\.0\.1|0\.0\.0\.0)(?::\d+)?(/[^\s'\"|;&]*)")


def adopt_task_facts(raw: Mapping[str, Any], task: TaskDefinition, container: Container,
                     svc: ecs.Service, found: Discovery, *, base: Settings | None,
                     task_src: str, where: str) -> None:
    _platform(raw, task, found, base, task_src)
    definition: Mapping[str, Any] = next((c for c in raw.get("containerDefinitions", [])
                       if c.get("name") == container.name), {})
    if not svc.load_balancers:
        _container_health(definition, found, task_src)
    for port in container.port_mappings:
        found.note("container.port", port.container_port, f"{task_src} .portMappings: no"
                   " shipit.toml key; deploy keeps the task definition's")
    options = container.log_options
    if options.get("awslogs-group"):
        created = " (awslogs-create-group)" if options.get("awslogs-create-group") == "true" else ""
        found.note("logs.group", options["awslogs-group"], f"{task_src} .logConfiguration"
                   f"{created}: no shipit.toml key; `shipit logs` reads it from the task")
    sizes = ", ".join(f"{k} {raw[k]}" for k in ("cpu", "memory") if raw.get(k))
    if sizes:
        found.note("task.size", sizes, f"{task_src}: no shipit.toml key; deploy keeps them")
    if svc.health_check_grace_seconds is not None and svc.load_balancers:
        found.note("ecs.health_check_grace", svc.health_check_grace_seconds,
                   f"{where} .healthCheckGracePeriodSeconds: no shipit.toml key")


def _platform(raw: Mapping[str, Any], task: TaskDefinition, found: Discovery,
              base: Settings | None, task_src: str) -> None:
    """The platform the task runs is the one to build: building another too (shipit's default
    builds both) costs time and, for a RUN step, an emulator the builder may not have."""
    declared = (raw.get("runtimePlatform") or {}).get("cpuArchitecture")
    builds = tuple(base.image.platforms) if base else DEFAULT_PLATFORMS
    how = (f".runtimePlatform.cpuArchitecture {declared}" if declared else
           "no runtimePlatform (Fargate runs X86_64)")
    if builds == (task.platform,):
        found.note("image.platforms", task.platform, f"{task_src} {how}: the base already"
                   " builds exactly it")
        return
    found.add("image.platforms", [task.platform], f"{task_src} {how}")


def _container_health(definition: Mapping[str, Any], found: Discovery, task_src: str) -> None:
    """A service behind no load balancer is judged by its container health check; the path in
    its command (``curl -f http://localhost:8000/healthz``) is the health path."""
    check = definition.get("healthCheck") or {}
    command = " ".join(str(part) for part in check.get("command", []))
    match = _LOCAL_URL.search(command)
    if match:
        found.add("http.health_path", match.group(1),
                  f"{task_src} .healthCheck.command ({command})")
    elif command:
        found.note("http.health_path", None, f"{task_src} .healthCheck.command names no local"
                   f" URL ({command}); not adopted")
