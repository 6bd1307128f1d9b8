"""`shipit rollback` as steps: describe, pick the revision, update the service, wait."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from shipit.aws import ecs
from shipit.deploy.receipt import DeployReceipt
from shipit.deploy.render import Progress
from shipit.deploy.revisions import rollback_target
from shipit.deploy.run import (
    DeployOptions,
    DeployRequest,
    deployment_for,
    follow,
    record_verdict,
)
from shipit.types import Clock, Sleep

if TYPE_CHECKING:
    from shipit.aws.session import AwsSession
    from shipit.config import Settings


@dataclass(frozen=True)
class RollbackOptions(DeployOptions):
    """What `shipit rollback` is asked: deploy's waiting options, and the revision."""

    to: int | None = None
    """The revision number to put back (None: the one before the running one)."""


def run(
    settings: Settings, aws: AwsSession, options: RollbackOptions, *, progress: Progress,
    clock: Clock, sleep: Sleep,
) -> DeployReceipt:
    """`shipit rollback` as a library call: the request from the settings, then ``rollback``."""
    return rollback(aws, DeployRequest.from_settings(settings, options), options.to,
                    progress=progress, clock=clock, sleep=sleep)


def rollback(
    aws: AwsSession, request: DeployRequest, to: int | None, *,
    progress: Progress, clock: Clock, sleep: Sleep,
) -> DeployReceipt:
    began = clock()
    receipt = DeployReceipt(cluster=request.cluster, service=request.service)
    service = ecs.describe_service(aws, request.cluster, request.service)
    receipt.previous_task_definition = service.task_definition
    family = ecs.family_of(service.task_definition)
    target = rollback_target(service.task_definition,
                             ecs.list_task_definition_arns(aws, family), to)
    receipt.task_definition, receipt.revision = target, ecs.revision_of(target)
    definition = ecs.describe_task_definition(aws, target)
    receipt.image = next((c.get("image") for c in definition.get("containerDefinitions", [])
                          if c.get("name") == request.container), None)
    if request.dry_run:
        receipt.outcome = "dry-run"
        receipt.message = f"would roll back to revision {receipt.revision} (--dry-run)"
        return receipt
    progress.step(f"rolling {request.service} back to revision {receipt.revision}")
    updated = ecs.update_service_task_definition(aws, request.cluster, request.service, target)
    receipt.deployment_id = deployment_for(updated, target)
    receipt.timings["start"] = round(clock() - began, 3)
    if not request.wait:
        receipt.outcome = "started"
        receipt.message = f"deployment {receipt.deployment_id} started (--no-wait)"
        return receipt
    result = follow(aws, request, receipt.deployment_id, target,
                    progress=progress, clock=clock, sleep=sleep)
    record_verdict(aws, receipt, result, request.container)
    receipt.rolled_back_to = target if result.verdict.ok else None
    receipt.timings["total"] = round(clock() - began, 3)
    return receipt
