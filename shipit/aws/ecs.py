"""Typed reads and the few writes of ECS that shipit needs: services, deployments, tasks.

Every function takes an ``AwsSession`` and returns frozen dataclasses, so deploy, status,
doctor and the tests share one vocabulary. ``ClientError`` becomes a shipit error here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from shipit.aws.errors import translate
from shipit.errors import ResourceNotFound

if TYPE_CHECKING:
    from shipit.aws.session import AwsSession

TaskDefinition = dict[str, Any]
"""A task definition as ECS returns it (``describeTaskDefinition['taskDefinition']``)."""


@dataclass(frozen=True)
class Deployment:
    id: str
    status: str  # PRIMARY | ACTIVE | INACTIVE
    task_definition: str
    desired: int
    running: int
    pending: int
    failed: int
    rollout_state: str | None  # IN_PROGRESS | COMPLETED | FAILED (None without circuit breaker)
    rollout_reason: str | None
    created_at: datetime | None
    updated_at: datetime | None

    @property
    def revision(self) -> int:
        return revision_of(self.task_definition)


@dataclass(frozen=True)
class ServiceEvent:
    id: str
    created_at: datetime | None
    message: str


@dataclass(frozen=True)
class LoadBalancerRef:
    target_group_arn: str
    container_name: str
    container_port: int


@dataclass(frozen=True)
class Service:
    arn: str
    name: str
    cluster_arn: str
    status: str
    task_definition: str
    desired: int
    running: int
    pending: int
    deployments: tuple[Deployment, ...]
    events: tuple[ServiceEvent, ...]
    load_balancers: tuple[LoadBalancerRef, ...]
    circuit_breaker: bool
    circuit_breaker_rollback: bool
    launch_type: str | None
    health_check_grace_seconds: int | None
    subnets: tuple[str, ...] = ()
    security_groups: tuple[str, ...] = ()
    assign_public_ip: str | None = None

    @property
    def primary(self) -> Deployment | None:
        return next((d for d in self.deployments if d.status == "PRIMARY"), None)

    def deployment(self, deployment_id: str) -> Deployment | None:
        return next((d for d in self.deployments if d.id == deployment_id), None)


@dataclass(frozen=True)
class TaskContainer:
    """A container of a running task, as DescribeTasks reports it."""

    name: str
    image: str | None
    last_status: str | None
    exit_code: int | None
    reason: str | None
    health: str | None


@dataclass(frozen=True)
class Task:
    arn: str
    task_definition: str
    last_status: str
    desired_status: str
    started_by: str | None
    group: str | None
    stopped_reason: str | None
    stop_code: str | None
    created_at: datetime | None
    started_at: datetime | None
    stopped_at: datetime | None
    containers: tuple[TaskContainer, ...] = field(default_factory=tuple)
    private_ip: str | None = None
    pull_started_at: datetime | None = None
    pull_stopped_at: datetime | None = None

    @property
    def id(self) -> str:
        return self.arn.rsplit("/", 1)[-1]

    @property
    def revision(self) -> int:
        return revision_of(self.task_definition)

    def container(self, name: str) -> TaskContainer | None:
        return next((c for c in self.containers if c.name == name), None)


def revision_of(task_definition_arn: str) -> int:
    """The revision number of ``...:task-definition/family:7`` (0 when absent)."""
    tail = task_definition_arn.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def family_of(task_definition_arn: str) -> str:
    """The family of ``arn:...:task-definition/family:7`` or ``family:7``."""
    return task_definition_arn.rsplit("/", 1)[-1].rsplit(":", 1)[0]


# -- reads ----------------------------------------------------------------------------------


def describe_service(aws: AwsSession, cluster: str, service: str) -> Service:
    """The service, or ResourceNotFound naming the cluster or the service."""
    client = aws.client("ecs")
    try:
        response = client.describe_services(cluster=cluster, services=[service])
    except Exception as exc:
        raise translate(exc, operation="ecs:DescribeServices", resource=cluster) from None
    services = [s for s in response.get("services", []) if s.get("status") != "INACTIVE"]
    if not services:
        failures = response.get("failures", [])
        reason = failures[0].get("reason", "MISSING") if failures else "MISSING"
        raise ResourceNotFound(
            f"service {service!r} not found in cluster {cluster!r} ({reason})",
            hint="check ecs.service / ecs.cluster in shipit.toml (`aws ecs list-services"
            f" --cluster {cluster}`) and aws.region",
            operation="ecs:DescribeServices",
            code="ServiceNotFoundException",
        )
    return parse_service(services[0])


def describe_task_definition(aws: AwsSession, task_definition: str) -> TaskDefinition:
    client = aws.client("ecs")
    try:
        response = client.describe_task_definition(taskDefinition=task_definition)
    except Exception as exc:
        raise translate(
            exc, operation="ecs:DescribeTaskDefinition", resource=task_definition
        ) from None
    return dict(response["taskDefinition"])


def list_task_definition_arns(aws: AwsSession, family: str) -> list[str]:
    """Every ACTIVE revision of ``family``, oldest first."""
    client = aws.client("ecs")
    arns: list[str] = []
    token: str | None = None
    try:
        while True:
            kwargs: dict[str, Any] = {"familyPrefix": family, "status": "ACTIVE"}
            if token:
                kwargs["nextToken"] = token
            page = client.list_task_definitions(**kwargs)
            arns.extend(a for a in page.get("taskDefinitionArns", []) if family_of(a) == family)
            token = page.get("nextToken")
            if not token:
                break
    except Exception as exc:
        raise translate(exc, operation="ecs:ListTaskDefinitions", resource=family) from None
    return sorted(arns, key=revision_of)


def list_service_tasks(
    aws: AwsSession, cluster: str, service: str, *, stopped: bool = True
) -> list[Task]:
    """The service's tasks (running and, when ``stopped``, recently stopped), newest first."""
    client = aws.client("ecs")
    arns: list[str] = []
    try:
        for status in ("RUNNING", "STOPPED") if stopped else ("RUNNING",):
            page = client.list_tasks(cluster=cluster, serviceName=service, desiredStatus=status)
            arns.extend(page.get("taskArns", []))
        tasks: list[Task] = []
        for start in range(0, len(arns), 100):
            chunk = arns[start : start + 100]
            if chunk:
                described = client.describe_tasks(cluster=cluster, tasks=chunk)
                tasks.extend(parse_task(t) for t in described.get("tasks", []))
    except Exception as exc:
        raise translate(exc, operation="ecs:DescribeTasks", resource=cluster) from None
    # list_tasks(serviceName=...) is not filtered by every implementation: keep ours.
    mine = [t for t in tasks if t.group in (None, f"service:{service}")]
    unique = {t.arn: t for t in mine}
    return sorted(unique.values(), key=_task_sort_key, reverse=True)


# -- writes ---------------------------------------------------------------------------------


def register_task_definition(aws: AwsSession, definition: TaskDefinition) -> TaskDefinition:
    client = aws.client("ecs")
    try:
        response = client.register_task_definition(**definition)
    except Exception as exc:
        raise translate(
            exc, operation="ecs:RegisterTaskDefinition", resource=definition.get("family")
        ) from None
    return dict(response["taskDefinition"])


def update_service_task_definition(
    aws: AwsSession, cluster: str, service: str, task_definition_arn: str, *, force: bool = False
) -> Service:
    client = aws.client("ecs")
    try:
        response = client.update_service(
            cluster=cluster,
            service=service,
            taskDefinition=task_definition_arn,
            forceNewDeployment=force,
        )
    except Exception as exc:
        raise translate(exc, operation="ecs:UpdateService", resource=service) from None
    return parse_service(response["service"])


def run_task(
    aws: AwsSession, cluster: str, task_definition: str, *, service: Service, container: str,
    command: list[str], started_by: str,
) -> str:
    """RunTask: one task of ``task_definition`` with the service's network configuration and
    launch type, ``command`` overriding the container's; the task's ARN."""
    client = aws.client("ecs")
    network: dict[str, Any] = {"awsvpcConfiguration": {
        "subnets": list(service.subnets), "securityGroups": list(service.security_groups),
        "assignPublicIp": service.assign_public_ip or "DISABLED"}} if service.subnets else {}
    kwargs: dict[str, Any] = {
        "cluster": cluster, "taskDefinition": task_definition, "count": 1,
        "startedBy": started_by, "launchType": service.launch_type or "FARGATE",
        "overrides": {"containerOverrides": [{"name": container, "command": command}]},
    }
    if network:
        kwargs["networkConfiguration"] = network
    try:
        response = client.run_task(**kwargs)
    except Exception as exc:
        raise translate(exc, operation="ecs:RunTask", resource=cluster) from None
    failures = response.get("failures") or []
    tasks = response.get("tasks") or []
    if not tasks:
        from shipit.errors import AwsError

        reason = failures[0].get("reason") if failures else "no task was started"
        raise AwsError(f"ecs:RunTask started no task in {cluster}: {reason}",
                       operation="ecs:RunTask")
    return str(tasks[0]["taskArn"])


def describe_task(aws: AwsSession, cluster: str, task_arn: str) -> Task | None:
    client = aws.client("ecs")
    try:
        described = client.describe_tasks(cluster=cluster, tasks=[task_arn])
    except Exception as exc:
        raise translate(exc, operation="ecs:DescribeTasks", resource=task_arn) from None
    tasks = described.get("tasks") or []
    return parse_task(tasks[0]) if tasks else None


# -- parsing --------------------------------------------------------------------------------


def parse_service(data: Mapping[str, Any]) -> Service:
    config = data.get("deploymentConfiguration") or {}
    breaker = config.get("deploymentCircuitBreaker") or {}
    network = (data.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}
    return Service(
        arn=data["serviceArn"],
        name=data["serviceName"],
        cluster_arn=data.get("clusterArn", ""),
        status=data.get("status", ""),
        task_definition=data.get("taskDefinition", ""),
        desired=int(data.get("desiredCount", 0)),
        running=int(data.get("runningCount", 0)),
        pending=int(data.get("pendingCount", 0)),
        deployments=tuple(parse_deployment(d) for d in data.get("deployments", [])),
        events=tuple(
            ServiceEvent(id=e.get("id", ""), created_at=e.get("createdAt"), message=e["message"])
            for e in data.get("events", [])
        ),
        load_balancers=tuple(
            LoadBalancerRef(
                target_group_arn=lb.get("targetGroupArn", ""),
                container_name=lb.get("containerName", ""),
                container_port=int(lb.get("containerPort", 0)),
            )
            for lb in data.get("loadBalancers", [])
        ),
        circuit_breaker=bool(breaker.get("enable", False)),
        circuit_breaker_rollback=bool(breaker.get("rollback", False)),
        launch_type=data.get("launchType"),
        health_check_grace_seconds=data.get("healthCheckGracePeriodSeconds"),
        subnets=tuple(network.get("subnets", [])),
        security_groups=tuple(network.get("securityGroups", [])),
        assign_public_ip=network.get("assignPublicIp"),
    )


def parse_deployment(data: Mapping[str, Any]) -> Deployment:
    return Deployment(
        id=data["id"],
        status=data.get("status", ""),
        task_definition=data.get("taskDefinition", ""),
        desired=int(data.get("desiredCount", 0)),
        running=int(data.get("runningCount", 0)),
        pending=int(data.get("pendingCount", 0)),
        failed=int(data.get("failedTasks", 0)),
        rollout_state=data.get("rolloutState"),
        rollout_reason=data.get("rolloutStateReason"),
        created_at=data.get("createdAt"),
        updated_at=data.get("updatedAt"),
    )


def parse_task(data: Mapping[str, Any]) -> Task:
    ip = None
    for attachment in data.get("attachments", []):
        for detail in attachment.get("details", []):
            if detail.get("name") == "privateIPv4Address":
                ip = detail.get("value")
    return Task(
        arn=data["taskArn"],
        task_definition=data.get("taskDefinitionArn", ""),
        last_status=data.get("lastStatus", ""),
        desired_status=data.get("desiredStatus", ""),
        started_by=data.get("startedBy"),
        group=data.get("group"),
        stopped_reason=data.get("stoppedReason") or None,
        stop_code=data.get("stopCode") or None,
        created_at=data.get("createdAt"),
        started_at=data.get("startedAt"),
        stopped_at=data.get("stoppedAt"),
        pull_started_at=data.get("pullStartedAt"),
        pull_stopped_at=data.get("pullStoppedAt"),
        containers=tuple(
            TaskContainer(
                name=c.get("name", ""),
                image=c.get("image"),
                last_status=c.get("lastStatus"),
                exit_code=c.get("exitCode"),
                reason=c.get("reason") or None,
                health=c.get("healthStatus"),
            )
            for c in data.get("containers", [])
        ),
        private_ip=ip,
    )


def _task_sort_key(task: Task) -> float:
    stamp = task.created_at or task.started_at or task.stopped_at
    return stamp.timestamp() if isinstance(stamp, datetime) else 0.0
