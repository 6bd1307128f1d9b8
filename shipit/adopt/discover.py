"""Discover a running stack from AWS: service -> task definition -> image, variables, secrets,
logs -> target group -> ALB -> alias record -> URL, and the database the tasks connect to.

Read-only. Every value is recorded with its source; anything with more than one answer (or
none where one is needed) goes to the injected ``choose``.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING

from shipit.adopt.emulated import LocalAddresses
from shipit.adopt.model import Choice, Chooser, Discovery, refuse
from shipit.aws import ec2, ecs, elbv2, inventory
from shipit.aws.identity import caller_identity
from shipit.aws.task_definitions import parse_task_definition
from shipit.doctor.facts import Container
from shipit.doctor.paths import sg_allows
from shipit.errors import ResourceNotFound
from shipit.image_ref import split_image

if TYPE_CHECKING:
    from shipit.aws.session import AwsSession

NO_DATABASE = "none (write no rds.instance)"


@dataclass(frozen=True)
class Wanted:
    cluster: str | None = None
    service: str | None = None
    rds: str | None = None
    """An RDS instance identifier, or "none"; settles the database choice without asking."""
    alb: str | None = None
    """A load balancer name; settles the ALB choice without asking."""


def discover(aws: AwsSession, wanted: Wanted = Wanted(), *, choose: Chooser = refuse,
             local: LocalAddresses | None = None) -> Discovery:
    found = Discovery()
    _account(aws, found)
    name = _service_name(aws, wanted, choose)
    svc = ecs.describe_service(aws, name.cluster, name.service)
    where = f"ecs:DescribeServices {name}"
    found.add("ecs.cluster", name.cluster, f"{where} (the cluster)")
    found.add("ecs.service", name.service, where)
    task = parse_task_definition(ecs.describe_task_definition(aws, svc.task_definition))
    task_src = f"ecs:DescribeTaskDefinition {task.family}:{task.revision}"
    container = _container(task.containers, svc, choose)
    found.add("ecs.container", container.name,
              f"{where} .loadBalancers[].containerName" if svc.load_balancers
              else f"{task_src}: its only essential container")
    found.add("ecs.desired_count", svc.desired, f"{where} .desiredCount")
    _image(aws, container, task_src, found, local)
    for port in container.port_mappings:
        found.note("container.port", port.container_port, f"{task_src} .portMappings")
    found.note("task.platform", task.platform, f"{task_src} .runtimePlatform")
    if container.log_options.get("awslogs-group"):
        found.note("logs.group", container.log_options["awslogs-group"],
                   f"{task_src} .logConfiguration")
    variables = dict(container.environment)
    _entry(aws, svc, wanted, choose, found, local)
    origins = [o.strip() for o in variables.get("CORS_ALLOWED_ORIGINS", "").split(",")
               if o.strip()]
    origins = _web(aws, origins, found, local)
    if origins:
        found.add("http.cors_origins", origins,
                  f"{task_src}: variable CORS_ALLOWED_ORIGINS, split on commas")
    _database(aws, svc, variables, wanted, choose, found)
    for key, value in variables.items():
        if key == "CORS_ALLOWED_ORIGINS":
            continue  # derived from http.cors_origins (+ the web origin) when shipit deploys
        found.add(f"vars.{key}", value, f"{task_src}: environment")
    for key, arn in container.secrets:
        found.add(f"secrets.{key}", arn, f"{task_src}: secrets (valueFrom, a reference)")
    return found


def _web(aws: AwsSession, origins: list[str], found: Discovery,
         local: LocalAddresses | None) -> list[str]:
    """The frontend: a website bucket whose origin the task allows becomes [web] (shipit derives
    that origin again at deploy time); the other origins stay http.cors_origins."""
    from shipit.aws import s3
    from shipit.s3_website import website_host

    if not origins:
        return origins
    if local is not None and local.website_url in origins and local.website_bucket:
        found.add("web.bucket", local.website_bucket,
                  f"emulated AWS: the bucket the sandbox's S3 website stand-in serves"
                  f" ({local.state_file})")
        found.add("web.name", local.website_bucket, "the bucket's name, a DNS name")
        found.add("web.origin", local.website_url,
                  f"emulated AWS: the stand-in's origin ({local.state_file}), allowed by the"
                  " task's CORS_ALLOWED_ORIGINS")
        return [o for o in origins if o != local.website_url]
    try:
        buckets = s3.website_buckets(aws)
    except Exception as exc:  # no s3:ListAllMyBuckets: the origins stay as they are
        found.note("web", None, f"website buckets not read ({exc})")
        return origins
    for bucket in buckets:
        by_name, endpoint = f"http://{bucket}", f"http://{website_host(bucket, aws.region)}"
        origin = next((o for o in origins if o in (by_name, endpoint)), None)
        if origin is None:
            continue
        found.add("web.bucket", bucket, "s3:ListBuckets + GetBucketWebsite (website hosting on)")
        if origin == by_name:
            found.add("web.name", bucket, f"the bucket's name, a DNS name ({origin} is allowed)")
        return [o for o in origins if o != origin]
    return origins


def _account(aws: AwsSession, found: Discovery) -> None:
    if aws.endpoint_url:
        found.add("aws.endpoint_url", aws.endpoint_url,
                  "the endpoint these reads went to (AWS_ENDPOINT_URL or aws.endpoint_url)")
    found.add("aws.region", aws.region, f"the region these reads went to ({aws.region_source})")
    identity = caller_identity(aws)
    found.add("aws.account_id", identity.account, "sts:GetCallerIdentity")


def _service_name(aws: AwsSession, wanted: Wanted, choose: Chooser) -> inventory.ServiceName:
    if wanted.cluster and wanted.service:
        return inventory.ServiceName(wanted.cluster, wanted.service)
    names = [n for n in inventory.services(aws, wanted.cluster)
             if wanted.service in (None, n.service)]
    if len(names) == 1:
        return names[0]
    picked = choose(Choice(
        "the ECS service", tuple(str(n) for n in names),
        f"{len(names)} services in {aws.region}" if names else f"no ECS service in {aws.region}",
        "pass --cluster C --service S"))
    cluster, _, service = picked.partition("/")
    return inventory.ServiceName(cluster, service)


def _container(containers: tuple[Container, ...], svc: ecs.Service, choose: Chooser
               ) -> Container:
    if svc.load_balancers:
        by_lb = svc.load_balancers[0].container_name
        match = next((c for c in containers if c.name == by_lb), None)
        if match is not None:
            return match
    essential = [c for c in containers if c.essential] or list(containers)
    if len(essential) == 1:
        return essential[0]
    picked = choose(Choice("the container", tuple(c.name for c in essential),
                           "several essential containers and no load balancer names one",
                           "set ecs.container by hand"))
    return next(c for c in essential if c.name == picked)


def _image(aws: AwsSession, container: Container, task_src: str, found: Discovery,
           local: LocalAddresses | None) -> None:
    image = split_image(container.image)
    host, repository, reference = image.host or "docker.io", image.repository, image.reference
    found.add("image.repository", repository, f"{task_src}: image {container.image}")
    found.note("image.reference", reference, f"{task_src}: image")
    if local is not None and local.registry_host:
        found.add("image.registry", local.registry_host,
                  f"emulated AWS: the sandbox's ECR data plane ({local.state_file}); the"
                  f" image names {host}, which does not resolve here")
        return
    account = next((f.value for f in found.values if f.key == "aws.account_id"), None)
    if image.ecr and image.ecr.region == aws.region and account and host.startswith(f"{account}."):
        found.note("image.registry", host, "the account's own ECR host: the default, not written")
    else:
        found.add("image.registry", host, f"{task_src}: image host (not this account's ECR)")


def _entry(aws: AwsSession, svc: ecs.Service, wanted: Wanted, choose: Chooser,
           found: Discovery, local: LocalAddresses | None) -> None:
    arns: list[str] = []
    for ref in svc.load_balancers:
        group = elbv2.describe_target_group(aws, ref.target_group_arn)
        found.note("lb.target_group", group.name, f"{ref.target_group_arn}")
        arns += [a for a in group.load_balancer_arns if a not in arns]
    if not arns:
        return
    albs = elbv2.describe_load_balancers(aws, arns)
    if wanted.alb:
        albs = [lb for lb in albs if lb.name == wanted.alb]
    if len(albs) != 1:
        picked = choose(Choice(
            "the load balancer", tuple(f"{lb.name} ({lb.dns_name})" for lb in albs),
            f"the service's target group is behind {len(albs)} load balancers",
            "pass --alb NAME"))
        albs = [lb for lb in albs if picked.split(" ", 1)[0] == lb.name]
    lb = albs[0]
    found.note("lb.dns_name", lb.dns_name, f"elbv2:DescribeLoadBalancers {lb.name}")
    listeners = inventory.listener_protocols(aws, lb.arn)
    scheme = "https" if any(p == "HTTPS" for p, _ in listeners) else "http"
    records = inventory.aliases_to(aws, lb.dns_name)
    names = sorted({r.record.name for r in records})
    host, host_src = lb.dns_name, f"elbv2:DescribeLoadBalancers {lb.name} .DNSName"
    if names:
        name = names[0] if len(names) == 1 else choose(Choice(
            "the DNS name", tuple(names), f"{len(names)} records alias {lb.dns_name}",
            "set dns.name by hand"))
        zone = next(r.zone for r in records if r.record.name == name)
        found.add("dns.zone", zone.name, f"route53:ListHostedZones: the zone holding {name}")
        found.add("dns.name", name, f"route53:ListResourceRecordSets: alias to {lb.dns_name}")
        host, host_src = name, f"the Route53 alias record {name}"
    listened = ", ".join(f"{p}:{n}" for p, n in listeners) or "no listener"
    if local is not None and (local.load_balancer_arn in (None, lb.arn)):
        found.add("http.url", local.alb_url,
                  f"emulated AWS: the sandbox's ALB stand-in ({local.state_file}), since"
                  f" {host} does not resolve here")
        return
    found.add("http.url", f"{scheme}://{host}",
              f"{host_src}; scheme from the listeners ({listened})")


def _database(aws: AwsSession, svc: ecs.Service, variables: dict[str, str], wanted: Wanted,
              choose: Chooser, found: Discovery) -> None:
    instances = inventory.databases(aws)
    if wanted.rds:
        _pick_database(wanted.rds, instances, "--rds", found)
        return
    url = variables.get("DATABASE_URL", "")
    host = urllib.parse.urlsplit(url).hostname if url else None
    by_host = [db for db in instances if host and db.address.lower() == host.lower()]
    if by_host:
        found.add("rds.instance", by_host[0].identifier,
                  f"rds:DescribeDBInstances: endpoint {by_host[0].address} is DATABASE_URL's host")
        return
    reachable = _reachable(aws, svc, instances)
    if len(reachable) == 1:
        found.add("rds.instance", reachable[0].identifier,
                  "rds:DescribeDBInstances + ec2:DescribeSecurityGroups: the only instance whose"
                  f" security group admits the tasks' groups on port {reachable[0].port}")
        return
    why = (f"{len(reachable)} instances admit the tasks' security groups" if reachable else
           "no instance matches DATABASE_URL's host"
           f" ({host or 'no DATABASE_URL'}) or admits the tasks' security groups")
    candidates = reachable or instances
    picked = choose(Choice("the RDS instance",
                           (*(db.identifier for db in candidates), NO_DATABASE), why,
                           "pass --rds ID (or --rds none)"))
    _pick_database(picked, instances, "your choice", found)


def _pick_database(picked: str, instances: list[inventory.DbInstance], source: str,
                   found: Discovery) -> None:
    if picked in ("none", NO_DATABASE):
        return
    if not any(db.identifier == picked for db in instances):
        raise ResourceNotFound(f"no RDS instance {picked} in this region",
                               hint="`aws rds describe-db-instances` lists them")
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
