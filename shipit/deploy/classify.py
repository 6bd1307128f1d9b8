"""Why a task stopped, in one of a few classes, each with a fix hint (a pure function).

ECS reports the reason in ``stoppedReason`` (and the container's ``reason`` / ``exitCode``);
the texts below are those ECS and Fargate write. ``fatal`` classes end a deploy's wait at the
first stopped task of the new revision: ECS would only retry the same failure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Failure:
    kind: str
    title: str
    hint: str
    fatal: bool
    reason: str

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "title": self.title, "hint": self.hint,
                "fatal": self.fatal, "reason": self.reason}


_OOM = re.compile(r"OutOfMemory|out of memory|OOM", re.I)
_EXIT = "essential container in task exited"
_CONFIG_LINE = re.compile(r"configuration error: (?P<var>[A-Z][A-Z0-9_]*)\b:?\s*(?P<why>.*)")


def classify(
    stopped_reason: str | None,
    *,
    stop_code: str | None = None,
    exit_code: int | None = None,
    container_reason: str | None = None,
    log_tail: Sequence[str] = (),
) -> Failure | None:
    """The failure class of a stopped task, or None when the stop is not a failure."""
    reason = stopped_reason or ""
    detail = f"{reason} {container_reason or ''}"
    lowered = detail.lower()
    if "exec format error" in lowered or "does not contain descriptor matching platform" in (
        lowered
    ):
        return Failure("platform", "the image has no build for the task's CPU (exec format"
                       " error)", "build for the task's runtimePlatform (Fargate's default is"
                       " linux/amd64): `shipit build` with image.platforms including it, or set"
                       " runtimePlatform.cpuArchitecture to match the image", True, reason)
    if "cannotpullcontainer" in lowered:
        return Failure("pull", "the image could not be pulled",
                       "check that the image (tag or digest) is in the ECR repository of this"
                       " region (`shipit push`), and that the execution role may pull from it",
                       True, reason)
    if "resourceinitializationerror" in lowered or ("secret" in lowered and (
        "unable to" in lowered or "failed to fetch" in lowered
    )):
        return Failure("secret", "a secret or a permission is missing at start-up",
                       "check that each secret ARN in shipit.toml exists in this region and"
                       " that the task execution role may read it"
                       " (secretsmanager:GetSecretValue / ssm:GetParameters)", True, reason)
    if "accessdenied" in lowered or "not authorized" in lowered:
        return Failure("permission", "the task execution role was refused an action",
                       "grant the execution role the action named above (`shipit iam-policy`)",
                       True, reason)
    if _OOM.search(detail) or (exit_code == 137 and "memory" in lowered):
        return Failure("oom", "the container ran out of memory",
                       "raise the task's memory (and the container's), or lower the app's use",
                       True, reason)
    if "failed elb health checks" in lowered or "failed container health checks" in lowered:
        return Failure("health", "the task failed the load balancer's health checks",
                       "check that the app listens on the container port (PORT) and that the"
                       " target group's health path answers 200; see the task's last log lines",
                       True, reason)
    if _EXIT in lowered or stop_code == "EssentialContainerExited":
        variable = _config_variable(log_tail)
        if variable is not None:
            name, why = variable
            return Failure("config", f"the app refused to start: {name} {why}".strip(),
                           f"set {name} for this environment in shipit.toml (vars, or secrets"
                           " for a password) and deploy again", True, reason)
        if exit_code == 0:
            return Failure("exited", "the essential container exited (code 0)",
                           "a service's container must keep running: check the command",
                           True, reason)
        return Failure("crash", f"the essential container exited with code {exit_code}",
                       "the app crashed at start: read its last log lines below (a missing"
                       " or wrong variable such as DATABASE_URL, an unreachable database)",
                       True, reason)
    if "cannotstartcontainer" in lowered or "cannotcreatecontainer" in lowered:
        return Failure("start", "the container could not start",
                       "check the command, entryPoint and image; see the reason above",
                       True, reason)
    return None


def _config_variable(lines: Sequence[str]) -> tuple[str, str] | None:
    for line in reversed(lines):
        match = _CONFIG_LINE.search(line)
        if match:
            why = match.group("why").split(";", 1)[0].strip()
            return match.group("var"), why
    return None
