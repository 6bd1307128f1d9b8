"""Gather a Snapshot with read-only AWS calls, all at once; a failed read is recorded, not raised.

Every step runs in its own thread and waits only for the facts it needs (the service before its
task definition, the task definition before its image ...), so the wall time is the longest
chain of calls, not their sum. AWS clients are thread-safe; the session builds them once.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from shipit.aws import ec2, ecr, ecs, elbv2, iam, rds, route53
from shipit.aws.ecr import read_image
from shipit.aws.errors import translate
from shipit.aws.identity import caller_identity
from shipit.aws.logs import find_log_group
from shipit.aws.secrets import check_secrets
from shipit.aws.task_definitions import read_task_definition
from shipit.config.origins import allowed_origins
from shipit.defaults import DEFAULT_HEALTH_PATH
from shipit.doctor.facts import Fact, ProbeRoute, Snapshot, Unavailable
from shipit.doctor.probe import emulated_address
from shipit.errors import ResourceNotFound
from shipit.image_ref import split_image

if TYPE_CHECKING:
    from shipit.aws.session import AwsSession
    from shipit.config import Config


@dataclass(frozen=True)
class Target:
    """What doctor looks at: the selected environment's settings, flattened."""

    env: str | None
    region: str
    account_id: str | None = None
    cluster: str | None = None
    service: str | None = None
    container: str | None = None
    repository: str | None = None
    image_registry: str | None = None
    rds_instance: str | None = None
    dns_zone: str | None = None
    dns_name: str | None = None
    http_url: str | None = None
    health_path: str = DEFAULT_HEALTH_PATH
    cors_origins: tuple[str, ...] = ()
    cors_variable: str = "CORS_ALLOWED_ORIGINS"
    env_var_names: Mapping[str, frozenset[str]] = field(default_factory=dict)
    route_to: str | None = None
    """host:port for names that cannot resolve (AWS emulated on this machine), see probe.py."""


def target_from_config(
    config: Config, env: str | None, region: str, environ: Mapping[str, str] | None = None
) -> Target:
    environ = os.environ if environ is None else environ
    settings = config.settings(env)
    names = {
        name: frozenset(config.settings(name).vars) | frozenset(config.settings(name).secrets)
        for name in config.environments
    }
    endpoint = settings.aws.endpoint_url or environ.get("AWS_ENDPOINT_URL") or ""
    return Target(
        env=env,
        region=region,
        account_id=settings.aws.account_id,
        cluster=settings.ecs.cluster,
        service=settings.ecs.service,
        container=settings.ecs.container,
        repository=settings.image.repository,
        image_registry=settings.image.registry,
        rds_instance=settings.rds.instance,
        dns_zone=settings.dns.zone,
        dns_name=settings.dns.name,
        http_url=settings.http.url,
        health_path=settings.http.health_path,
        cors_origins=allowed_origins(settings),  # http.cors_origins + the web origin
        cors_variable=settings.http.cors_variable,
        env_var_names=names,
        route_to=emulated_address(endpoint, settings.http.url),
    )


Step = Callable[["_Run"], Fact[Any]]


class _Run:
    """One gathering: the AWS session, the target, and each step's future fact."""

    def __init__(self, aws: AwsSession, target: Target) -> None:
        self.aws = aws
        self.target = target
        self.futures: dict[str, Future[Fact[Any]]] = {}
        self.submitted = threading.Event()
        """Set once every step is submitted: a step may ask for one submitted after it."""

    def _future(self, name: str) -> Future[Fact[Any]]:
        self.submitted.wait()
        return self.futures[name]

    def need(self, name: str) -> Any:
        """The value of another step's fact; Unavailable when it has none."""
        fact = self._future(name).result()
        if fact.state != "ok":
            raise Unavailable(f"no {name.replace('_', ' ')}: {fact.reason}")
        return fact.value

    def container_name(self) -> str | None:
        """ecs.container, else the container the service's load balancer names, else the first
        essential container that is not a log router (a FireLens sidecar is often first)."""
        return self.target.container or resolve_container(self.value("service"),
                                                          self.value("task_definition"))

    def value(self, name: str) -> Any:
        """Another step's value, or None when it has none (for optional inputs)."""
        fact = self._future(name).result()
        return fact.value if fact.state == "ok" else None


def resolve_container(service: Any, definition: Any) -> str | None:
    if service is not None and service.load_balancers:
        return str(service.load_balancers[0].container_name)
    if definition is None:
        return None
    apps = [c for c in definition.containers if c.essential and not c.log_router]
    return str((apps or list(definition.containers))[0].name) if definition.containers else None


def _guarded(name: str, step: Step, run: _Run) -> Fact[Any]:
    try:
        return step(run)
    except Unavailable as missing:
        return Fact.unavailable(missing.reason)
    except Exception as exc:  # a read must never end the run
        error = translate(exc, operation=f"doctor:{name}")
        if isinstance(error, ResourceNotFound):
            return Fact.absent(error.message)
        return Fact.failed(error.message)


def _identity(run: _Run) -> Fact[Any]:
    return Fact.ok(caller_identity(run.aws))


def _repository(run: _Run) -> Fact[Any]:
    name = run.target.repository
    if not name:
        return Fact.unset("no image.repository configured")
    definition = run.value("task_definition")
    container = definition.container(run.container_name()) if definition else None
    if container is not None:
        image = split_image(container.image)
        if image.ecr is None:
            return Fact.unset(f"the task's image {container.image} comes from"
                              f" {image.host or 'docker.io'}, not ECR: no repository to inspect")
    found = ecr.find_repository(run.aws, name)
    return Fact.ok(found) if found else Fact.absent(f"repository {name} does not exist")


def _service(run: _Run) -> Fact[Any]:
    if not (run.target.cluster and run.target.service):
        return Fact.unset("no ecs.cluster / ecs.service configured")
    return Fact.ok(ecs.describe_service(run.aws, run.target.cluster, run.target.service))


def _task_definition(run: _Run) -> Fact[Any]:
    arn = run.need("service").task_definition
    return Fact.ok(read_task_definition(run.aws, arn))


def _stopped_tasks(run: _Run) -> Fact[Any]:
    service = run.need("service")
    tasks = ecs.list_service_tasks(run.aws, run.target.cluster or "", service.name)
    return Fact.ok(tuple(task for task in tasks if task.desired_status == "STOPPED"))


def _image(run: _Run) -> Fact[Any]:
    container = run.need("task_definition").container(run.container_name())
    if container is None:
        return Fact.unset(f"no container {run.container_name()!r} in the task definition")
    image = split_image(container.image)
    if image.ecr is None:
        return Fact.unset(f"{image.host or 'docker.io'} is not an ECR registry")
    other = image.ecr.region if image.ecr.region != run.target.region else None
    return Fact.ok(read_image(run.aws, container.image, image.ecr.account, image.repository,
                              image.reference, region=other))


def _log_group(run: _Run) -> Fact[Any]:
    container = run.need("task_definition").container(run.container_name())
    options = container.log_options if container else {}
    group = options.get("awslogs-group") or options.get("log_group_name")
    if not group:
        return Fact.unset("the container has no awslogs group")
    found = find_log_group(run.aws, group)
    return Fact.ok(found) if found else Fact.absent(f"log group {group} does not exist")


def _target_groups(run: _Run) -> Fact[Any]:
    arns = [target.target_group_arn for target in run.need("service").load_balancers]
    if not arns:
        return Fact.unset("the service has no load balancer")
    return Fact.ok(tuple(elbv2.describe_target_group(run.aws, arn) for arn in arns))


def _target_health(run: _Run) -> Fact[Any]:
    groups = run.need("target_groups")
    return Fact.ok({group.arn: tuple(elbv2.target_health(run.aws, group.arn)) for group in groups})


def _load_balancer(run: _Run) -> Fact[Any]:
    arns = [arn for group in run.need("target_groups") for arn in group.load_balancer_arns]
    if not arns:
        return Fact.absent("the target group is attached to no load balancer")
    found = elbv2.describe_load_balancers(run.aws, arns[:1])
    return Fact.ok(found[0]) if found else Fact.absent(f"load balancer {arns[0]} not found")


RECENT_MINUTES = 10


def _recent_5xx(run: _Run) -> Fact[Any]:
    """HTTPCode_Target_5XX_Count and HTTPCode_ELB_5XX_Count, summed over the last minutes."""
    from datetime import UTC, datetime, timedelta

    from shipit.aws import cloudwatch
    from shipit.deploy.metrics import service_queries

    service = run.need("service")
    balancer = run.need("load_balancer")
    groups = run.need("target_groups")
    queries = [q for q in service_queries(run.target.cluster or "", service.name, balancer.arn,
                                          groups[0].arn if groups else None)
               if q.id in ("target_5xx", "elb_5xx")]
    end = datetime.now(UTC)
    series = cloudwatch.read_series(run.aws, queries, end - timedelta(minutes=RECENT_MINUTES),
                                    end, period=60)
    return Fact.ok({s.query.id: float(sum(s.values)) for s in series})


def _database(run: _Run) -> Fact[Any]:
    if not run.target.rds_instance:
        return Fact.unset("no rds.instance configured")
    return Fact.ok(rds.describe_database(run.aws, run.target.rds_instance))


def _security_groups(run: _Run) -> Fact[Any]:
    """The groups of the service, the ALB and the database, read as soon as those are known;
    then those of the VPC's interface endpoints that are not among them (usually none: the
    network read is the longest, and this step no longer waits for it before its first call)."""
    ids: list[str] = []
    for name in ("service", "load_balancer", "database"):
        found = run.value(name)
        if found is not None:
            ids += found.security_groups
    ids = list(dict.fromkeys(ids))
    groups = ec2.security_groups(run.aws, ids) if ids else {}
    network = run.value("network")
    if network is not None:  # interface endpoints have groups of their own
        more = [group for endpoint in network.endpoints for group in endpoint.security_groups
                if group not in groups]
        if more:
            groups = {**groups, **ec2.security_groups(run.aws, list(dict.fromkeys(more)))}
    if not groups:
        return Fact.unset("no security groups to read")
    return Fact.ok(groups)


def _subnet_vpcs(run: _Run) -> Fact[Any]:
    subnets = list(run.need("service").subnets)
    if not subnets:
        return Fact.unset("the service names no subnets")
    return Fact.ok(ec2.subnet_vpcs(run.aws, subnets))


def _network(run: _Run) -> Fact[Any]:
    vpcs: set[str] = set((run.value("subnet_vpcs") or {}).values())
    # The target groups' VPC is the ALB's, and is known one call earlier than the ALB.
    vpcs |= {group.vpc_id for group in run.value("target_groups") or () if group.vpc_id}
    database = run.value("database")
    if database is not None and database.vpc_id:
        vpcs.add(database.vpc_id)
    if not vpcs:
        return Fact.unset("no VPC to read: neither the service, the ALB nor the database")
    return Fact.ok(ec2.read_network(run.aws, vpcs))


def _listeners(run: _Run) -> Fact[Any]:
    return Fact.ok(tuple(elbv2.listeners(run.aws, run.need("load_balancer").arn)))


def _execution_role(run: _Run) -> Fact[Any]:
    arn = run.need("task_definition").execution_role_arn
    if not arn:
        return Fact.unset("the task definition has no execution role")
    return Fact.ok(iam.read_role(run.aws, arn))


def _task_role(run: _Run) -> Fact[Any]:
    arn = run.need("task_definition").task_role_arn
    if not arn:
        return Fact.unset("the task definition has no task role")
    return Fact.ok(iam.read_role(run.aws, arn))


def _secrets(run: _Run) -> Fact[Any]:
    wanted = {name: arn for c in run.need("task_definition").containers for name, arn in c.secrets}
    return Fact.ok(tuple(check_secrets(run.aws, wanted)))


def _zone(run: _Run) -> Fact[Any]:
    name = run.target.dns_name
    if not name:
        return Fact.unset("no dns.name configured")
    zone = route53.find_zone(run.aws, name, run.target.dns_zone)
    if zone is None:
        return Fact.absent(f"no hosted zone matches {name}")
    return Fact.ok(zone)


def _records(run: _Run) -> Fact[Any]:
    zone = run.need("zone")
    return Fact.ok(route53.read_records(run.aws, zone.id, run.target.dns_name or ""))


STEPS: dict[str, Step] = {
    "identity": _identity,
    "service": _service,
    "task_definition": _task_definition,
    "repository": _repository,  # after the task definition, whose image it looks at
    "stopped_tasks": _stopped_tasks,
    "image": _image,
    "log_group": _log_group,
    "target_groups": _target_groups,
    "target_health": _target_health,
    "load_balancer": _load_balancer,
    "database": _database,
    "security_groups": _security_groups,
    "subnet_vpcs": _subnet_vpcs,
    "network": _network,
    "listeners": _listeners,
    "execution_role": _execution_role,
    "task_role": _task_role,
    "secrets": _secrets,
    "zone": _zone,
    "records": _records,
    "recent_5xx": _recent_5xx,
}


class Gathering:
    """Every step started, one thread each; ``snapshot()`` waits for them and assembles it.

    Started before doctor imports its checks, so that importing them overlaps the reads'
    round trips (the endpoint works while this process imports)."""

    def __init__(self, aws: AwsSession, target: Target, steps: Mapping[str, Step]) -> None:
        self.target = target
        self._run = _Run(aws, target)
        # One thread per step: a step blocks on its dependencies' futures, never on a free worker.
        self._pool = ThreadPoolExecutor(max_workers=len(steps), thread_name_prefix="doctor")
        try:
            for name, step in steps.items():
                self._run.futures[name] = self._pool.submit(_guarded, name, step, self._run)
        finally:
            self._run.submitted.set()

    def snapshot(self) -> Snapshot:
        try:
            facts = {name: future.result() for name, future in self._run.futures.items()}
        finally:
            self._pool.shutdown(wait=True)
        target = self.target
        snapshot = Snapshot(
            env=target.env,
            region=target.region,
            account_id=target.account_id,
            health_path=target.health_path,
            http_url=target.http_url,
            cors_origins=target.cors_origins,
            cors_variable=target.cors_variable,
            cluster=target.cluster,
            container_name=target.container or resolve_container(facts["service"].value,
                                                                  facts["task_definition"].value),
            image_registry=target.image_registry,
            dns_name=target.dns_name,
            env_var_names=target.env_var_names,
            **cast(dict[str, Any], facts),
        )
        snapshot.routes = routes(target, snapshot)
        return snapshot


def start(aws: AwsSession, target: Target, steps: Mapping[str, Step] = STEPS) -> Gathering:
    """Start every step concurrently; ``.snapshot()`` of the result waits for them."""
    return Gathering(aws, target, steps)


def gather(aws: AwsSession, target: Target, steps: Mapping[str, Step] = STEPS) -> Snapshot:
    """Run every step concurrently and assemble the Snapshot; never raises for a failed read."""
    return start(aws, target, steps).snapshot()


def routes(target: Target, snapshot: Snapshot) -> tuple[ProbeRoute, ...]:
    """In an emulated AWS, send requests for the record's and the ALB's names to http.url."""
    if target.route_to is None:
        return ()
    hosts = [target.dns_name] if target.dns_name else []
    if snapshot.load_balancer.state == "ok" and snapshot.load_balancer.value is not None:
        hosts.append(snapshot.load_balancer.value.dns_name)
    return tuple(ProbeRoute(host, target.route_to) for host in hosts)
