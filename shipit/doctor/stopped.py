"""Classify an ECS stopped-task reason: which failure class it is, and whether it is fatal.

Kept small and pure; deploy's classifier replaces it once shipit/deploy has one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class StopClass:
    name: str
    fatal: bool
    hint: str


_CLASSES: tuple[tuple[re.Pattern[str], StopClass], ...] = (
    (re.compile(r"exec format error", re.I), StopClass(
        "platform", True, "the image lacks the task's CPU architecture; see image.platform")),
    (re.compile(r"CannotPullContainerError|pull image manifest|not found: manifest", re.I),
     StopClass("image-pull", True,
               "the image or tag is not in the repository, or the execution role cannot pull;"
               " see ecr.image and iam.execution_role")),
    (re.compile(r"ResourceInitializationError|unable to retrieve secret|AccessDenied", re.I),
     StopClass("secrets-or-permissions", True,
               "the execution role cannot read a secret or the log group; see"
               " iam.execution_role")),
    (re.compile(r"OutOfMemory|OOM|exit code: 137|exitCode 137", re.I), StopClass(
        "out-of-memory", True, "raise the task's memory or lower the service's usage")),
    (re.compile(r"failed (ELB|container) health checks", re.I), StopClass(
        "health-check", True,
        "the target never became healthy: see lb.health_check and ecs.ports")),
    (re.compile(r"Essential container in task exited", re.I), StopClass(
        "crashed", True, "the container exited at start: read `shipit logs`")),
    (re.compile(r"Scaling activity initiated by|deployment|maintenance|stopped by user", re.I),
     StopClass("routine", False, "a routine replacement")),
)


def classify(reason: str) -> StopClass:
    for pattern, stop_class in _CLASSES:
        if pattern.search(reason):
            return stop_class
    return StopClass("unknown", False, "read the task's stopped reason and `shipit logs`")
