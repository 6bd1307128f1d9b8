"""The one place the sandbox reaches into moto: its in-process backends, and three patches
(and ``_start_faster``, which changes how moto finds what it needs, never what it answers).

moto's ECS keeps deployments frozen and its target groups call every target healthy. In the
sandbox daemon moto runs in-process (ThreadedMotoServer), so the scheduler can do what the ECS
scheduler and the ALB do: create a deployment on UpdateService, start and stop tasks, set
rollout states, and report target health. Everything here holds ``LOCK``, which the patched
UpdateService also takes, so API calls and the scheduler never interleave a mutation.

What moto must keep for this to work is listed in ``MOTO_CONTRACT`` and checked by
tests/sandbox/test_moto_world.py, which fails loudly (naming the attribute) when a moto upgrade
moves one: the three methods patched (``EC2ContainerServiceBackend.update_service``,
``FakeTargetGroup.health_for``, CloudWatch's ``Statistics.get_statistics_for_type`` for
percentiles) with their parameters, and the attributes read or written (the logs backend that
the awslogs stand-in writes to included).
"""

from __future__ import annotations

import functools
import math
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from shipit.sandbox.names import ACCOUNT_ID
from shipit.sandbox.timing import SERVER_POLL_SECONDS

LOCK = threading.RLock()
_TARGET_HEALTH: dict[tuple[str, str], tuple[str, str | None, str | None]] = {}
_patched = False


MOTO_CONTRACT: dict[str, tuple[str, ...]] = {
    "moto.ecs.models.EC2ContainerServiceBackend.update_service": ("self", "service_properties"),
    "moto.elbv2.models.FakeTargetGroup.health_for": ("self", "target", "ec2_backend"),
    "moto.elbv2.models.FakeHealthStatus": (),
    "moto.ecs.models.Task": (),
    "moto.ecs.models.ecs_backends": (),
    "moto.elbv2.models.elbv2_backends": (),
    "moto.moto_api.state_manager": (),
    "moto.cloudwatch.models.Statistics.get_statistics_for_type": ("self", "stat"),
    "moto.cloudwatch.models.Statistics.metric_single_values_list": (),
    "moto.ecr.responses.ECRResponse.get_authorization_token": ("self",),
    "moto.moto_server.werkzeug_app.DomainDispatcherApplication": (),
    "moto.moto_server.werkzeug_app.MotoRequestHandler": (),
    "moto.moto_server.werkzeug_app.create_backend_app": (),
    "moto.logs.models.logs_backends": (),
    "moto.sts.models.sts_backends": (),
    "moto.sts.models.STSBackend.get_assumed_role_from_access_key": ("self", "access_key_id"),
    "moto.core.utils.create_loader": (),
    "moto.core.loaders.Loader.BUILTIN_EXTRAS_TYPES": (),
    "moto.core.loaders.create_loader": (),
    "moto.core.utils.get_service_model": ("service_name",),
    "moto.backends.list_of_moto_modules": (),
    "moto.core.responses.method_names_from_class": ("clazz",),
}
"""Every moto name this module uses, and the parameters of each patched method."""


class MotoServer:
    """moto's server app behind ``wrap`` (the sandbox's request guard), on 127.0.0.1."""

    def __init__(self, wrap: Callable[[Any], Any]) -> None:
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        self.app = wrap(DomainDispatcherApplication(create_backend_app))
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True,
                                   request_handler=MotoRequestHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name="moto",
                                        kwargs={"poll_interval": SERVER_POLL_SECONDS})

    @property
    def port(self) -> int:
        return int(self._server.server_port)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)
        self._server.server_close()


def issued_secret(access_key_id: str) -> str | None:
    """The secret of temporary credentials this moto's STS issued (AssumeRole into another
    account), or None: the sandbox accepts what its own STS hands out, as AWS does."""
    from moto.sts.models import sts_backends

    for by_partition in list(sts_backends.values()):
        for backend in list(by_partition.values()):
            role = backend.get_assumed_role_from_access_key(access_key_id)
            if role is not None:
                return str(role.secret_access_key)
    return None


def set_registry_password(password: str) -> None:
    """ECR's GetAuthorizationToken hands out ``AWS:<password>`` (moto's own is a fixed,
    guessable one); the sandbox's registry data plane accepts only that login."""
    import base64

    from moto.ecr.responses import ECRResponse

    original = ECRResponse.get_authorization_token

    def get_authorization_token(self: Any) -> Any:
        result: Any = original(self)
        token = base64.b64encode(f"AWS:{password}".encode()).decode()
        for entry in result.result["authorizationData"]:
            entry["authorizationToken"] = token
        return result

    setattr(ECRResponse, "get_authorization_token", get_authorization_token)  # noqa: B010


def new_deployment_id() -> str:
    return f"ecs-svc/{secrets.randbelow(9 * 10**17) + 10**17}"


def utcnow() -> datetime:
    return datetime.now(UTC)


def install_patches() -> None:
    """Make UpdateService start a deployment (as ECS does) and target health come from us."""
    global _patched
    if _patched:
        return
    _start_faster()  # first: moto reads the SDK's data while it is imported
    from moto.ecs.models import EC2ContainerServiceBackend
    from moto.elbv2.models import FakeHealthStatus, FakeTargetGroup
    from moto.moto_api import state_manager

    # Task states are ours to set; moto must not advance them when they are described.
    state_manager.set_transition("ecs::task", {"progression": "manual", "times": 10**9})

    original_update = EC2ContainerServiceBackend.update_service

    def update_service(self: Any, properties: dict[str, Any]) -> Any:
        with LOCK:
            requested = properties.get("task_definition")
            force = bool(properties.get("force_new_deployment"))
            if requested:
                requested = self.describe_task_definition(requested).arn
                properties["task_definition"] = requested
            service = original_update(self, properties)
            primary = next((d for d in service.deployments if d["status"] == "PRIMARY"), None)
            changed = requested and (primary is None or primary["taskDefinition"] != requested)
            if changed or force:
                start_deployment(service, str(service.task_definition))
            return service

    setattr(EC2ContainerServiceBackend, "update_service", update_service)  # noqa: B010

    original_health = FakeTargetGroup.health_for

    def health_for(self: Any, target: dict[str, Any], ec2_backend: Any) -> Any:
        known = _TARGET_HEALTH.get((self.arn, target["Id"]))
        if known is None or target["Id"] not in self.targets:
            return original_health(self, target, ec2_backend)
        state, reason, description = known
        port = self.targets[target["Id"]]["Port"]
        return FakeHealthStatus(
            target["Id"], port, self.health_check_port, state, reason, description
        )

    setattr(FakeTargetGroup, "health_for", health_for)  # noqa: B010

    # moto answers Sum/Average/Minimum/Maximum/SampleCount only; CloudWatch also computes
    # percentiles (p50, p99.9) over the raw values of the period.
    from moto.cloudwatch.models import Statistics

    original_statistic = Statistics.get_statistics_for_type

    def get_statistics_for_type(self: Any, stat: str) -> Any:
        wanted = percentile_of(stat)
        if wanted is None:
            return original_statistic(self, stat)
        return percentile(list(self.metric_single_values_list), wanted)

    setattr(Statistics, "get_statistics_for_type", get_statistics_for_type)  # noqa: B010
    _patched = True


def _start_faster() -> None:
    """What moto does slowly on every start, done once or read from shipit's model cache.

    The AWS SDK parses its JSON models on every run (ec2's alone is 4 MB), and moto asks it for
    regions while its modules are imported (``get_available_regions("ec2")`` in a class body:
    ~0.5 s); so every SDK session of this process reads through the cache (shipit.aws.model_cache,
    the product's clients' own) before moto is imported, and moto's own loader (its search path
    and "moto-extras" files) does too. moto also lists its ~170 package folders twice for every
    request, and each response class's methods once per request: both are fixed once moto is
    imported, so they are listed once. None of this changes an answer
    (tests/sandbox/test_moto_world.py compares the models)."""
    from shipit.aws.model_cache import CachedLoader, cache_every_session

    cache_every_session()

    from moto import backends
    from moto.core import loaders, responses, utils

    class CachedMotoLoader(CachedLoader, loaders.Loader):
        """moto's loader (its search path first, its "moto-extras" files), cached."""

    moto_loader = CachedMotoLoader.replacing(loaders.create_loader())
    setattr(utils, "create_loader", lambda: moto_loader)  # noqa: B010
    modules = tuple(backends.list_of_moto_modules())  # moto's own folders: fixed once installed
    setattr(backends, "list_of_moto_modules", lambda: modules)  # noqa: B010
    # The classes are complete once imported (the patches here replace methods, adding none).
    names = functools.cache(lambda clazz: tuple(utils.method_names_from_class(clazz)))
    setattr(responses, "method_names_from_class",  # noqa: B010
            lambda clazz: list(names(clazz)))


def percentile_of(stat: str) -> float | None:
    """``p99`` -> 99.0, ``p99.9`` -> 99.9; None for any other statistic."""
    if not stat.startswith("p"):
        return None
    try:
        value = float(stat[1:])
    except ValueError:
        return None
    return value if 0 <= value <= 100 else None


def percentile(values: list[float], wanted: float) -> float | None:
    """The nearest-rank percentile of ``values`` (None when there are none)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(wanted / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def start_deployment(service: Any, task_definition: str) -> dict[str, Any]:
    """A new PRIMARY deployment for ``task_definition``; the old PRIMARY becomes ACTIVE."""
    now = utcnow()
    deployment_id = new_deployment_id()
    for old in service.deployments:
        if old["status"] == "PRIMARY":
            old["status"] = "ACTIVE"
            old["updatedAt"] = now
    deployment = {
        "createdAt": now,
        "desiredCount": service.desired_count,
        "failedTasks": 0,
        "id": deployment_id,
        "launchType": service.launch_type,
        "pendingCount": 0,
        "rolloutState": "IN_PROGRESS",
        "rolloutStateReason": f"ECS deployment {deployment_id} in progress.",
        "runningCount": 0,
        "platformVersion": service.platform_version or "1.4.0",
        "networkConfiguration": service.network_configuration or None,
        "platformFamily": "Linux",
        "status": "PRIMARY",
        "taskDefinition": task_definition,
        "updatedAt": now,
    }
    service.deployments = [deployment] + [
        d for d in service.deployments if d["status"] != "INACTIVE"
    ]
    add_event(service, f"(service {service.name}) has started a new deployment {deployment_id}.")
    return deployment


def add_event(service: Any, message: str) -> None:
    event = {"id": str(uuid.uuid4()), "createdAt": utcnow(), "message": message}
    service.events = [event, *service.events][:100]


def set_target_health(
    target_group_arn: str, target_id: str, state: str | None,
    reason: str | None = None, description: str | None = None,
) -> None:
    if state is None:
        _TARGET_HEALTH.pop((target_group_arn, target_id), None)
    else:
        _TARGET_HEALTH[(target_group_arn, target_id)] = (state, reason, description)


@dataclass(frozen=True)
class Backends:
    """The moto backends of the sandbox's account and region."""

    region: str

    @property
    def ecs(self) -> Any:
        from moto.ecs.models import ecs_backends

        return ecs_backends[ACCOUNT_ID][self.region]

    @property
    def elbv2(self) -> Any:
        from moto.elbv2.models import elbv2_backends

        return elbv2_backends[ACCOUNT_ID][self.region]

    def service(self, cluster: str, name: str) -> Any:
        return self.ecs.services.get(f"{cluster}:{name}")

    def cluster_tasks(self, cluster: str) -> list[Any]:
        """Every moto Task of ``cluster`` (the service's and RunTask's)."""
        return list(self.ecs.tasks.get(cluster, {}).values())

    def task_definition(self, arn: str) -> Any:
        return self.ecs.describe_task_definition(arn)

    def target_group(self, arn: str) -> Any:
        return self.elbv2.target_groups.get(arn)

    def new_task(self, service: Any, task_definition_arn: str, deployment_id: str) -> Any:
        """A moto Task of the service, PROVISIONING, started by the deployment (as ECS does)."""
        from moto.ecs import models

        backend = self.ecs
        cluster = backend.clusters[service.cluster_name]
        task: Any = models.Task(
            cluster, backend.describe_task_definition(task_definition_arn), None, None, backend,
            group=f"service:{service.name}", launch_type=service.launch_type or "FARGATE",
            started_by=deployment_id,
            networking_configuration=service.network_configuration or None,
            platform_version="1.4.0",
        )
        now = utcnow()
        task.last_status = "PROVISIONING"
        task.created_at = now
        task.containers[0].last_status = "PENDING"
        task.containers[0].exitCode = None
        backend.tasks.setdefault(cluster.name, {})[task.task_arn] = task
        return task


def log_stream_writer(account: str, region: str, group: str,
                      stream: str) -> Callable[[str], None] | None:
    """A function appending one line to a CloudWatch Logs stream of the in-process moto
    (creating the stream); None when the group does not exist."""
    from moto.logs.models import logs_backends

    backend = logs_backends[account][region]
    with LOCK:
        if group not in backend.groups:
            return None
        if stream not in backend.groups[group].streams:
            backend.create_log_stream(group, stream)

    def write(line: str) -> None:
        event = {"timestamp": int(time.time() * 1000), "message": line}
        with LOCK:
            backend.put_log_events(group, stream, [event])

    return write
