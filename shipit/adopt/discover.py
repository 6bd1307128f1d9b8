"""Discover a running stack from AWS: service -> task definition -> image, variables, secrets,
logs -> target group -> ALB -> the record naming it -> URL, and the database the tasks use.

Read-only. Every value is recorded with its source; anything with more than one answer (or
none where one is needed) is settled by an option, by the base of shipit.toml, or by the
injected ``choose`` (see ``shipit.adopt.model``).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shipit.adopt import normalise
from shipit.adopt.cors import adopt_origins
from shipit.adopt.emulated import LocalAddresses
from shipit.adopt.entry import adopt_entry
from shipit.adopt.model import Choice, Chooser, Discovery, Given, pick, refuse
from shipit.adopt.task_facts import adopt_task_facts
from shipit.aws import ec2, ecs, inventory
from shipit.aws.identity import caller_identity
from shipit.aws.task_definitions import parse_task_definition
from shipit.doctor.facts import Container
from shipit.doctor.paths import sg_allows
from shipit.errors import UsageError
from shipit.image_ref import split_image

if TYPE_CHECKING:
    from shipit.aws.session import AwsSession
    from shipit.config import Settings

NO_DATABASE = "none (write no rds.instance)"


@dataclass(frozen=True)
class Wanted:
    """What the options say; each settles its choice without asking."""

    cluster: str | None = None
    service: str | None = None
    rds: str | None = None
    """An RDS instance identifier, or "none"; settles the database choice without asking."""
    alb: str | None = None
    """A load balancer name; settles the ALB choice without asking."""
    container: str | None = None
    dns_name: str | None = None


def discover(aws: AwsSession, wanted: Wanted = Wanted(), *, choose: Chooser = refuse,
             local: LocalAddresses | None = None, base: Settings | None = None) -> Discovery:
    """``base``: the settings of shipit.toml's base, whose values settle choices (and which the
    new environment inherits where it writes nothing)."""
    found = Discovery()
    _account(aws, found, local)
    name = _service_name(aws, wanted, base, choose)
    svc = ecs.describe_service(aws, name.cluster, name.service)
    where = f"ecs:DescribeServices {name}"
    found.add("ecs.cluster", name.cluster, f"{where} (the cluster)")
    found.add("ecs.service", name.service, where)
    raw = ecs.describe_task_definition(aws, svc.task_definition)
    task = parse_task_definition(raw)
    task_src = f"ecs:DescribeTaskDefinition {task.family}:{task.revision}"
    container = _container(task.containers, raw, svc, wanted, base, choose, found, where,
                           task_src)
    found.add("ecs.desired_count", svc.desired, f"{where} .desiredCount")
    _image(container, task_src, found, local, aws.region, base)
    adopt_task_facts(raw, task, container, svc, found, base=base, task_src=task_src,
                     where=where)
    variables = dict(container.environment)
    adopt_entry(aws, svc, found, alb=wanted.alb, dns_name=_given(
        wanted.dns_name, "--dns-name", base.dns.name if base else None, "dns.name"),
        choose=choose, local=local)
    handled = adopt_origins(aws, variables, found, local, task_src=task_src, base=base)
    _database(aws, svc, variables, wanted, base, choose, found)
    for key, value in variables.items():
        if key not in handled:
            found.add(f"vars.{key}", value, f"{task_src}: environment")
    account = str(found.value("aws.account_id"))
    for key, value_from in container.secrets:
        arn = normalise.secret_reference(value_from, region=aws.region, account=account)
        how = ("" if arn == value_from else
               f"; ECS reads the bare name {value_from!r} as an SSM parameter of the task's"
               " region and account, written as its ARN")
        found.add(f"secrets.{key}", arn, f"{task_src}: secrets (valueFrom, a reference){how}")
    if base is not None:
        _inherited(base, found)
    return found


_STACK_KEYS = ("ecs.", "rds.", "dns.", "http.url", "http.cors_origins", "web.bucket",
               "web.name", "web.origin", "vars.", "secrets.")
"""Keys whose value only the stack can say: one the base holds and the stack does not is
inherited by the new environment (an overlay cannot remove a key), and --explain says so."""


def _inherited(base: Settings, found: Discovery) -> None:
    written = {f.key for f in found.values}
    data = base.model_dump(exclude_defaults=True)
    for section, values in data.items():
        if not isinstance(values, dict):
            continue
        for key, value in values.items():
            dotted = f"{section}.{key}"
            if dotted in written or not dotted.startswith(_STACK_KEYS) or value in (None, []):
                continue
            found.note(dotted, value, "in the base of shipit.toml, not in the stack: the new"
                       " environment inherits it (remove it from the base if the stack is"
                       " right)")


def _given(option: str | None, flag: str, base: str | None, key: str) -> Given | None:
    if option:
        return Given(option, flag, strict=True)
    return Given(base, f"shipit.toml {key}", strict=False) if base else None


def _account(aws: AwsSession, found: Discovery, local: LocalAddresses | None = None) -> None:
    if aws.endpoint_url:
        found.add("aws.endpoint_url", aws.endpoint_url,
                  "the endpoint these reads went to (AWS_ENDPOINT_URL or aws.endpoint_url)")
    if local is not None and local.credentials_file:
        found.add("aws.credentials_file", local.credentials_file,
                  f"emulated AWS: the sandbox's own keys ({local.state_file}), which it requires")
    found.add("aws.region", aws.region, f"the region these reads went to ({aws.region_source})")
    identity = caller_identity(aws)
    found.add("aws.account_id", identity.account, "sts:GetCallerIdentity")


def _service_name(aws: AwsSession, wanted: Wanted, base: Settings | None, choose: Chooser
                  ) -> inventory.ServiceName:
    if wanted.cluster and wanted.service:
        return inventory.ServiceName(wanted.cluster, wanted.service)
    names = [n for n in inventory.services(aws, wanted.cluster)
             if wanted.service in (None, n.service)]
    if len(names) == 1:
        return names[0]
    given = None
    if base and base.ecs.service:
        by_base = [n for n in names if n.service == base.ecs.service
                   and base.ecs.cluster in (None, n.cluster)]
        if len(by_base) == 1:
            given = Given(str(by_base[0]), "shipit.toml ecs.cluster/ecs.service", strict=False)
    picked, _ = pick(Choice(
        "the ECS service", tuple(str(n) for n in names),
        f"{len(names)} services in {aws.region}" if names else f"no ECS service in {aws.region}",
        "pass --cluster C --service S"), given, choose)
    cluster, _, service = picked.partition("/")
    return inventory.ServiceName(cluster, service)


def _container(containers: tuple[Container, ...], raw: Mapping[str, Any], svc: ecs.Service,
               wanted: Wanted, base: Settings | None, choose: Chooser, found: Discovery,
               where: str, task_src: str) -> Container:
    by_name = {c.name: c for c in containers}
    routers = _sidecars(raw)
    for router, why in sorted(routers.items()):
        found.note("ecs.container", router, f"{task_src}: {why}, not the app")
    if wanted.container:
        if wanted.container not in by_name:
            pick(Choice("the container", tuple(by_name), f"{task_src} has no container"
                        f" {wanted.container!r}", "pass --container NAME"),
                 Given(wanted.container, "--container", strict=True), refuse)
        found.add("ecs.container", wanted.container, "--container")
        return by_name[wanted.container]
    if svc.load_balancers and svc.load_balancers[0].container_name in by_name:
        name = svc.load_balancers[0].container_name
        found.add("ecs.container", name, f"{where} .loadBalancers[].containerName")
        return by_name[name]
    essential = [c for c in containers if c.essential] or list(containers)
    apps = [c for c in essential if c.name not in routers] or essential
    if len(apps) == 1:
        found.add("ecs.container", apps[0].name,
                  f"{task_src}: its only essential container"
                  + (" besides its sidecars" if routers else ""))
        return apps[0]
    given = _given(None, "", base.ecs.container if base else None, "ecs.container")
    picked, settled = pick(Choice("the container", tuple(c.name for c in apps),
                                  "several essential containers and no load balancer names one",
                                  "pass --container NAME"), given, choose)
    found.add("ecs.container", picked, settled or "your choice among the essential containers")
    return by_name[picked]


_AGENT_IMAGES = ("aws-for-fluent-bit", "fluent-bit", "fluentd", "aws-xray-daemon", "xray",
                 "datadog/agent", "cloudwatch-agent", "aws-otel-collector",
                 "opentelemetry-collector", "envoy", "newrelic/infrastructure")
"""Images of agents that run beside an app (log routers, tracing, metrics, proxies)."""


def _sidecars(raw: Mapping[str, Any]) -> dict[str, str]:
    """Containers that are not the app, each with why: a FireLens log router, a container
    another one waits for (``dependsOn``), a well-known agent image."""
    definitions = raw.get("containerDefinitions", [])
    waited = {d.get("containerName") for c in definitions for d in c.get("dependsOn", [])}
    found: dict[str, str] = {}
    for c in definitions:
        image = str(c.get("image", "")).lower()
        if c.get("firelensConfiguration"):
            found[c["name"]] = "a FireLens log router"
        elif any(agent in image for agent in _AGENT_IMAGES):
            found[c["name"]] = f"an agent's image ({c.get('image')})"
        elif c["name"] in waited:
            found[c["name"]] = "a container the others wait for (dependsOn)"
    return found


def _image(container: Container, task_src: str, found: Discovery,
           local: LocalAddresses | None, region: str, base: Settings | None) -> None:
    image = split_image(container.image)
    host, repository, reference = image.host or "docker.io", image.repository, image.reference
    found.add("image.repository", repository, f"{task_src}: image {container.image}")
    found.note("image.reference", reference, f"{task_src}: image (a tag or digest; deploy"
               " chooses its own)")
    if local is not None and local.registry_host:
        found.add("image.registry", local.registry_host,
                  f"emulated AWS: the sandbox's ECR data plane ({local.state_file}); the"
                  f" image names {host}, which does not resolve here")
        return
    account = found.value("aws.account_id")
    own = image.ecr and image.ecr.region == region and image.ecr.account == account
    if own and base is not None and base.image.registry not in (None, host):
        found.add("image.registry", host, f"{task_src}: the account's own ECR host, written"
                  f" because the base's image.registry ({base.image.registry}) says otherwise")
    elif own:
        found.note("image.registry", host, "the account's own ECR host: the default, not written")
    else:
        found.add("image.registry", host, f"{task_src}: image host (not this account's ECR)")


def _database(aws: AwsSession, svc: ecs.Service, variables: dict[str, str], wanted: Wanted,
              base: Settings | None, choose: Chooser, found: Discovery) -> None:
    instances = inventory.databases(aws)
    if wanted.rds:
        _pick_database(wanted.rds, instances, "--rds", found)
        return
    hosts = {name: host for name, value in variables.items()
             if (host := _host_in(value)) is not None}
    for name, host in sorted(hosts.items(), key=lambda item: item[0] != "DATABASE_URL"):
        by_host = [db for db in instances if db.address.lower() == host]
        if by_host:
            found.add("rds.instance", by_host[0].identifier,
                      f"rds:DescribeDBInstances: endpoint {by_host[0].address} is {name}'s host")
            return
    host = hosts.get("DATABASE_URL")
    reachable = _reachable(aws, svc, instances)
    if len(reachable) == 1:
        found.add("rds.instance", reachable[0].identifier,
                  "rds:DescribeDBInstances + ec2:DescribeSecurityGroups: the only instance whose"
                  f" security group admits the tasks' groups on port {reachable[0].port}")
        return
    if not instances:
        found.note("rds.instance", None, "rds:DescribeDBInstances: no instance in this region")
        return
    why = (f"{len(reachable)} instances admit the tasks' security groups" if reachable else
           "no instance matches DATABASE_URL's host"
           f" ({host or 'no DATABASE_URL'}) or admits the tasks' security groups")
    candidates = reachable or instances
    given = _given(None, "", base.rds.instance if base else None, "rds.instance")
    picked, settled = pick(Choice("the RDS instance",
                                  (*(db.identifier for db in candidates), NO_DATABASE), why,
                                  "pass --rds ID (or --rds none)"), given, choose)
    _pick_database(picked, instances, settled or "your choice", found)


def _host_in(value: str) -> str | None:
    """The host a variable names: a URL's (``postgresql://u@HOST:5432/db``), or the value
    itself when it is a bare ``host[:port]`` (``DB_HOST``, ``PGHOST``)."""
    value = value.strip()
    if "://" in value:
        try:
            host = urllib.parse.urlsplit(value).hostname
        except ValueError:
            return None
        return host.lower() if host else None
    bare = value.rsplit(":", 1)[0] if value.count(":") == 1 else value
    return bare.lower() if bare and "." in bare and " " not in bare else None


def _pick_database(picked: str, instances: list[inventory.DbInstance], source: str,
                   found: Discovery) -> None:
    if picked in ("none", NO_DATABASE):
        found.note("rds.instance", None, f"{source}: no database")
        return
    if not any(db.identifier == picked for db in instances):
        listed = ", ".join(db.identifier for db in instances) or "none"
        raise UsageError(f"{source} {picked!r} is not an RDS instance of this region"
                         f" (instances: {listed})", hint="pass --rds ID, or --rds none")
    found.add("rds.instance", picked, source)


def _reachable(aws: AwsSession, svc: ecs.Service, instances: list[inventory.DbInstance]
               ) -> list[inventory.DbInstance]:
    ids = sorted({g for db in instances for g in db.security_groups})
    if not ids or not svc.security_groups:
        return []
    groups = ec2.security_groups(aws, ids)
    return [db for db in instances
            if sg_allows([r for g in db.security_groups if g in groups for r in groups[g].ingress
                          if r.group_id is not None], db.port, groups=svc.security_groups)]
