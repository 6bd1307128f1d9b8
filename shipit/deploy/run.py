"""`shipit deploy` as named steps: describe, plan (diff), stop on dry-run, guard, register,
update, wait; on failure the reason, its hint and the task's last log lines (and a rollback
when asked). Clock and sleep are injected; nothing here prints (``Progress`` does).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shipit.aws import ecs
from shipit.deploy.classify import classify
from shipit.deploy.image import ImageChoice, choose_image
from shipit.deploy.observe import observer, task_log_tail
from shipit.deploy.receipt import DeployReceipt
from shipit.deploy.render import Progress
from shipit.deploy.revisions import deployment_in_progress
from shipit.deploy.taskdef import diff_task_definitions, next_task_definition, registration_input
from shipit.deploy.wait import WaitResult, wait_for_deployment
from shipit.errors import Failed
from shipit.types import Clock, Sleep

if TYPE_CHECKING:
    from shipit.aws.session import AwsSession
    from shipit.config import Settings


@dataclass(frozen=True)
class DeployRequest:
    cluster: str
    service: str
    container: str
    variables: Mapping[str, str]
    secrets: Mapping[str, str]
    repository: str | None
    receipt_path: Path
    image: str | None = None
    tag: str | None = None
    dry_run: bool = False
    wait: bool = True
    timeout: float = 900.0
    interval: float = 5.0
    rollback_on_failure: bool = False
    force: bool = False

    @classmethod
    def from_settings(cls, settings: Settings, options: DeployOptions) -> DeployRequest:
        """The request `shipit deploy` and `shipit rollback` make from shipit.toml: the service,
        its vars and secrets, the image repository and the build receipt under the root."""
        from shipit.config.origins import task_environment
        from shipit.deploy.settings import default_interval, require_service
        from shipit.image.receipt import RECEIPT_PATH

        cluster, service, container = require_service(settings, options.env)
        return cls(
            cluster=cluster, service=service, container=container,
            variables=task_environment(settings), secrets=dict(settings.secrets),
            repository=settings.image.repository, receipt_path=options.root / RECEIPT_PATH,
            image=options.image, tag=options.tag, dry_run=options.dry_run, wait=options.wait,
            timeout=options.timeout, interval=options.interval or default_interval(settings),
            rollback_on_failure=options.rollback_on_failure, force=options.force,
        )


@dataclass(frozen=True)
class DeployOptions:
    """What `shipit deploy` (and `rollback`) is asked; the service comes from the settings."""

    root: Path
    """The project's folder: the build receipt is read under it."""
    env: str | None = None
    """The environment's name, for messages (None: the base of shipit.toml)."""
    image: str | None = None
    tag: str | None = None
    dry_run: bool = False
    wait: bool = True
    timeout: float = 900.0
    interval: float | None = None
    """Seconds between polls; None: the endpoint's pace (``default_interval``)."""
    rollback_on_failure: bool = False
    force: bool = False


def run(
    settings: Settings, aws: AwsSession, options: DeployOptions, *, progress: Progress,
    clock: Clock, sleep: Sleep,
) -> DeployReceipt:
    """`shipit deploy` as a library call: the request from the settings, then ``deploy``."""
    return deploy(aws, DeployRequest.from_settings(settings, options), progress=progress,
                  clock=clock, sleep=sleep)


@dataclass(frozen=True)
class Plan:
    service: ecs.Service
    current: ecs.TaskDefinition
    image: ImageChoice
    next_input: dict[str, Any]
    diff: list[str]


def deploy(
    aws: AwsSession, request: DeployRequest, *, progress: Progress, clock: Clock, sleep: Sleep
) -> DeployReceipt:
    receipt = DeployReceipt(cluster=request.cluster, service=request.service)
    began = clock()
    plan = describe_and_plan(aws, request)
    record_plan(receipt, plan, request)
    receipt.timings["plan"] = round(clock() - began, 3)
    if request.dry_run:
        receipt.outcome, receipt.message = "dry-run", "nothing changed (--dry-run)"
        return receipt
    if not plan.diff and not request.force and deployment_in_progress(plan.service) is None:
        return unchanged(plan, receipt, progress)  # (one still rolling out: the guard decides)
    guard(plan.service, force=request.force)
    if plan.diff:
        task_definition = register(aws, plan, receipt, progress)
    else:  # --force with nothing changed: roll the running revision again
        task_definition = plan.service.task_definition
        receipt.task_definition = task_definition
        receipt.revision = ecs.revision_of(task_definition)
        progress.step(f"nothing changed; --force: rolling revision {receipt.revision} again")
    deployment_id = update(aws, request, receipt, task_definition, progress)
    receipt.timings["start"] = round(clock() - began, 3)
    if not request.wait:
        receipt.outcome = "started"
        receipt.message = f"deployment {deployment_id} started (--no-wait)"
        return receipt
    result = follow(aws, request, deployment_id, task_definition,
                    progress=progress, clock=clock, sleep=sleep)
    record_verdict(aws, receipt, result, request.container)
    receipt.timings["wait"] = round(result.verdict_at - began - receipt.timings["start"], 3)
    if not result.verdict.ok and request.rollback_on_failure:
        roll_back_to(aws, request, receipt, plan.service.task_definition,
                     progress=progress, clock=clock, sleep=sleep)
    receipt.timings["total"] = round(clock() - began, 3)
    return receipt


def describe_and_plan(aws: AwsSession, request: DeployRequest) -> Plan:
    """Read the service and its task definition, choose the image, compute the next one."""
    service = ecs.describe_service(aws, request.cluster, request.service)
    current = ecs.describe_task_definition(aws, service.task_definition)
    image = choose_image(aws, image=request.image, tag=request.tag,
                         repository=request.repository, receipt=request.receipt_path)
    next_input = next_task_definition(current, container=request.container, image=image.ref,
                                      variables=request.variables, secrets=request.secrets)
    return Plan(service, current, image, next_input,
                diff_task_definitions(registration_input(current), next_input))


def record_plan(receipt: DeployReceipt, plan: Plan, request: DeployRequest) -> None:
    receipt.previous_task_definition = plan.service.task_definition
    receipt.image, receipt.image_digest = plan.image.ref, plan.image.digest
    receipt.image_source = plan.image.source
    receipt.task_definition_diff = plan.diff
    receipt.service_update = {"cluster": request.cluster, "service": request.service,
                              "taskDefinition": f"{plan.current.get('family')}:<next revision>"}


def unchanged(plan: Plan, receipt: DeployReceipt, progress: Progress) -> DeployReceipt:
    """The service already runs what would be registered: say so, register and start nothing."""
    arn = plan.service.task_definition
    receipt.outcome = "unchanged"
    receipt.task_definition, receipt.revision = arn, ecs.revision_of(arn)
    receipt.service_update = {}
    receipt.message = (
        f"{plan.service.name} already runs revision {receipt.revision} with this image"
        f" ({plan.image.digest}), variables, secrets, sizes and roles: nothing registered,"
        " no deployment started (--force rolls it anyway)")
    progress.step(receipt.message)
    receipt.timings["total"] = receipt.timings["plan"]
    return receipt


def register(aws: AwsSession, plan: Plan, receipt: DeployReceipt, progress: Progress) -> str:
    """Register the next revision (the only write before the service update); its ARN."""
    progress.step(f"registering a new revision of {plan.current.get('family')}")
    registered = ecs.register_task_definition(aws, plan.next_input)
    arn = str(registered["taskDefinitionArn"])
    receipt.task_definition = arn
    receipt.revision = int(registered.get("revision", ecs.revision_of(arn)))
    return arn


def update(
    aws: AwsSession, request: DeployRequest, receipt: DeployReceipt, task_definition: str,
    progress: Progress,
) -> str:
    """Point the service at the new revision; the id of the deployment ECS started for it."""
    progress.step(f"updating service {request.service} to revision {receipt.revision}")
    updated = ecs.update_service_task_definition(
        aws, request.cluster, request.service, task_definition, force=request.force
    )
    receipt.deployment_id = deployment_for(updated, task_definition)
    return receipt.deployment_id


def guard(service: ecs.Service, *, force: bool) -> None:
    """Refuse to start while another deployment rolls out (two CI jobs must not race)."""
    running = deployment_in_progress(service)
    if running is not None and not force:
        raise Failed(
            f"deployment {running.id} (revision {running.revision}) is still"
            f" {running.rollout_state or 'in progress'}; not starting another",
            hint="wait for it (`shipit status`), or pass --force to deploy over it",
        )


def follow(
    aws: AwsSession, request: DeployRequest, deployment_id: str, task_definition: str, *,
    progress: Progress, clock: Clock, sleep: Sleep,
) -> WaitResult:
    progress.step(f"waiting for deployment {deployment_id} (timeout {request.timeout:g}s)")
    try:
        return wait_for_deployment(
            observer(aws, request.cluster, request.service, clock), deployment_id,
            task_definition, timeout=request.timeout, interval=request.interval,
            clock=clock, sleep=sleep,
            on_observation=lambda o: progress.observe(o, deployment_id),
        )
    finally:
        progress.close()


def record_verdict(
    aws: AwsSession, receipt: DeployReceipt, result: WaitResult, container: str
) -> None:
    verdict = result.verdict
    receipt.outcome, receipt.message = verdict.outcome, verdict.message
    failure, task = verdict.failure, verdict.task
    if task is not None:
        receipt.stopped_task = task.arn
        definition = ecs.describe_task_definition(aws, task.task_definition)
        receipt.last_log_lines = task_log_tail(aws, definition, container, task.id)
        first = task.containers[0] if task.containers else None
        refined = classify(
            task.stopped_reason, stop_code=task.stop_code,
            exit_code=first.exit_code if first else None,
            container_reason=first.reason if first else None,
            log_tail=receipt.last_log_lines,
        )
        if refined is not None and failure is not None and refined.kind != failure.kind:
            receipt.message = receipt.message.replace(failure.title, refined.title)
        failure = refined or failure
    receipt.failure = failure.to_dict() if failure else None


def roll_back_to(
    aws: AwsSession, request: DeployRequest, receipt: DeployReceipt, previous: str, *,
    progress: Progress, clock: Clock, sleep: Sleep,
) -> None:
    service = ecs.describe_service(aws, request.cluster, request.service)
    if service.task_definition == previous and service.primary is not None and (
        service.primary.rollout_state == "COMPLETED"
    ):
        receipt.rolled_back_to = previous
        return
    progress.step(f"--rollback-on-failure: putting revision {ecs.revision_of(previous)} back")
    updated = ecs.update_service_task_definition(aws, request.cluster, request.service,
                                                 previous, force=True)
    deployment = deployment_for(updated, previous)
    result = follow(aws, request, deployment, previous,
                    progress=progress, clock=clock, sleep=sleep)
    receipt.rolled_back_to = previous if result.verdict.ok else None
    if not result.verdict.ok:
        receipt.message += f"; the rollback failed too: {result.verdict.message}"


def deployment_for(service: ecs.Service, task_definition: str) -> str:
    for deployment in service.deployments:
        if deployment.status == "PRIMARY" and deployment.task_definition == task_definition:
            return deployment.id
    raise Failed(
        f"ECS started no deployment for {task_definition} (deployments:"
        f" {[d.id for d in service.deployments]})",
        hint="is the service's deployment controller ECS? CODE_DEPLOY services deploy through"
        " CodeDeploy",
    )
