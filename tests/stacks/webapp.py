"""One web service as the ECS console's "Create service" wizard leaves it, with knobs for shapes.

``build(console, Shape(...))`` makes: a network (the default VPC, or the VPC wizard's), the
console's security groups (``<name>-alb-sg`` open on 80/443, ``<name>-sg`` admitting the ALB),
ecsTaskExecutionRole, a log group, a task definition, a cluster, an ALB with an
``ecs-<cluster>-<service>`` target group, a Fargate service with one healthy target, and
optionally an RDS instance and Route 53 records. A case changes the knobs, then adds its own
twist with the same Console.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from tests.stacks.console import ACCOUNT, REGION, Console, Network, awslogs

ImageKind = Literal["ecr-tag", "ecr-digest", "dockerhub", "dockerhub-user", "ghcr",
                    "public-ecr"]
SecretKind = Literal["sm-whole", "sm-json-key", "sm-stage", "ssm-arn", "ssm-name"]
DnsKind = Literal["alias", "alias-plain", "alias-aaaa", "cname", "split", "none"]
NOT_FOUND_404 = {"Type": "fixed-response", "FixedResponseConfig": {
    "StatusCode": "404", "ContentType": "text/plain", "MessageBody": "not found"}}
REDIRECT_HTTPS = {"Type": "redirect", "RedirectConfig": {
    "Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}


@dataclass
class Shape:
    name: str
    cluster: str = ""
    service: str = ""
    container: str = ""
    network: Literal["default", "wizard"] = "wizard"
    port: int = 8080
    health_path: str = "/health"
    image: ImageKind = "ecr-tag"
    image_arches: tuple[str, ...] | None = None
    """The platforms the pushed image holds (default: the task's)."""
    arch: Literal["X86_64", "ARM64"] = "X86_64"
    env: dict[str, str] = field(default_factory=dict)
    cors_variable: str | None = "CORS_ALLOWED_ORIGINS"
    origins: tuple[str, ...] = ("https://app.example.com",)
    secrets: tuple[SecretKind, ...] = ("sm-whole",)
    log_router_first: bool = False
    container_health: bool = False
    start_period: int = 0
    create_log_group: bool = False
    retention: int | None = 30
    https: bool = False
    listener_rules: bool = False
    dns: DnsKind = "alias"
    zone: str = "example.com"
    rds: bool = True
    interval: int = 30
    timeout: int = 5
    unhealthy: int = 2
    grace: int | None = 60
    circuit_breaker: bool = True
    task_subnets: Literal["private", "public", "other-az"] = "private"
    desired: int = 2
    load_balancer: bool = True
    dualstack: bool = False
    exec_extra: list[dict[str, Any]] | None = None
    """Extra statements on ecsTaskExecutionRole (default: read this stack's secrets)."""
    task_role_statements: list[dict[str, Any]] | None = None

    def __post_init__(self) -> None:
        self.cluster = self.cluster or f"{self.name}-cluster"
        self.service = self.service or f"{self.name}-service"
        self.container = self.container or self.name


@dataclass
class Built:
    network: Network
    alb: dict[str, str] = field(default_factory=dict)
    target_group: str = ""
    listener: str = ""
    task_definition: str = ""
    service_group: str = ""
    alb_group: str = ""
    zone: str = ""
    secret_arns: list[str] = field(default_factory=list)
    database_host: str = ""


def image_for(c: Console, shape: Shape) -> str:
    arches = shape.image_arches or (("arm64",) if shape.arch == "ARM64" else ("amd64",))
    if shape.image in ("ecr-tag", "ecr-digest"):
        by_tag, by_digest = c.ecr_image(shape.name, "v1.4.2", arches=arches)
        return by_tag if shape.image == "ecr-tag" else by_digest
    return {
        "dockerhub": "nginx:1.27",
        "dockerhub-user": "bitnami/nginx:1.27",
        "ghcr": f"ghcr.io/example-org/{shape.name}:v1.4.2",
        "public-ecr": f"public.ecr.aws/example/{shape.name}:latest",
    }[shape.image]


def secrets_for(c: Console, shape: Shape) -> tuple[list[dict[str, str]], list[str]]:
    """The container's secrets and the ARNs (as ECS resolves them) the execution role needs."""
    entries: list[dict[str, str]] = []
    grants: list[str] = []
    for kind in shape.secrets:
        if kind == "sm-whole":
            arn = c.secret(f"{shape.name}/db-password", "planted-whole-s3cret")
            entries.append({"name": "DB_PASSWORD", "valueFrom": arn})
            grants.append(arn)
        elif kind == "sm-json-key":
            arn = c.secret(f"{shape.name}/credentials",
                           '{"username":"app","password":"planted-json-s3cret"}')
            entries.append({"name": "DB_USER_PASSWORD", "valueFrom": f"{arn}:password::"})
            grants.append(arn)
        elif kind == "sm-stage":
            arn = c.secret(f"{shape.name}/api-key", "planted-stage-s3cret", stage="AWSCURRENT")
            entries.append({"name": "API_KEY", "valueFrom": f"{arn}:::AWSCURRENT"})
            grants.append(arn)
        elif kind == "ssm-arn":
            arn = c.parameter(f"/{shape.name}/stripe-key", "planted-ssm-s3cret")
            entries.append({"name": "STRIPE_KEY", "valueFrom": arn})
            grants.append(arn)
        elif kind == "ssm-name":
            arn = c.parameter(f"{shape.name}-token", "planted-ssm-name-s3cret")
            entries.append({"name": "SERVICE_TOKEN", "valueFrom": f"{shape.name}-token"})
            grants.append(arn)
    return entries, grants


def grant_statements(grants: Sequence[str]) -> list[dict[str, Any]]:
    sm = [g if g.endswith("*") else f"{g}*" for g in grants if ":secretsmanager:" in g]
    ssm = [g for g in grants if ":ssm:" in g]
    statements: list[dict[str, Any]] = []
    if sm:
        statements.append({"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"],
                           "Resource": sm})
    if ssm:
        statements.append({"Effect": "Allow", "Action": ["ssm:GetParameters"], "Resource": ssm})
    return statements


def containers_for(shape: Shape, image: str, secrets: list[dict[str, str]],
                   database_host: str) -> list[dict[str, Any]]:
    group = f"/ecs/{shape.name}"
    env = dict(shape.env)
    if shape.cors_variable and shape.origins:
        env[shape.cors_variable] = ",".join(shape.origins)
    if database_host:
        env["DATABASE_URL"] = f"postgresql://app@{database_host}:5432/{shape.name}"
    app: dict[str, Any] = {
        "name": shape.container, "image": image, "essential": True,
        "portMappings": [{"containerPort": shape.port, "hostPort": shape.port, "protocol": "tcp",
                          "name": f"{shape.container}-{shape.port}-tcp", "appProtocol": "http"}],
        "environment": [{"name": k, "value": v} for k, v in env.items()],
        "secrets": secrets,
        "logConfiguration": awslogs(group, create=shape.create_log_group),
    }
    if shape.container_health:
        app["healthCheck"] = {
            "command": ["CMD-SHELL", f"curl -f http://localhost:{shape.port}{shape.health_path}"
                        " || exit 1"],
            "interval": 30, "timeout": 5, "retries": 3, "startPeriod": shape.start_period}
    if not shape.log_router_first:
        return [app]
    app["logConfiguration"] = {"logDriver": "awsfirelens",
                               "options": {"Name": "cloudwatch", "region": REGION,
                                           "log_group_name": group, "log_stream_prefix": "app/"}}
    router = {
        "name": "log_router", "essential": True,
        "image": "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable",
        "firelensConfiguration": {"type": "fluentbit"},
        "logConfiguration": awslogs(f"/ecs/{shape.name}-firelens", create=True),
        "memoryReservation": 50,
    }
    return [router, app]


def build(c: Console, shape: Shape) -> Built:
    net = (c.default_vpc() if shape.network == "default"
           else c.wizard_vpc(shape.name, azs=3 if shape.task_subnets == "other-az" else 2))
    built = Built(net)
    lb_subnets = list(net.public[:2])
    if shape.task_subnets == "private" and net.private:
        task_subnets = list(net.private[:2])
    elif shape.task_subnets == "other-az":
        task_subnets = [net.private[2]] if net.private else [net.public[2]]
    else:
        task_subnets = list(net.public[:2])
    built.alb_group = c.security_group(f"{shape.name}-alb-sg", net.vpc,
                                       [(80, "0.0.0.0/0"), (443, "0.0.0.0/0")])
    built.service_group = c.security_group(f"{shape.name}-sg", net.vpc,
                                           [(shape.port, built.alb_group)])
    if shape.rds:
        db_group = c.security_group(f"{shape.name}-db-sg", net.vpc,
                                    [(5432, built.service_group)])
        built.database_host = c.database(f"{shape.name}-db", net.private or net.public,
                                         [db_group])
    image = image_for(c, shape)
    secrets, grants = secrets_for(c, shape)
    built.secret_arns = grants
    exec_extra = shape.exec_extra if shape.exec_extra is not None else grant_statements(grants)
    role = c.execution_role(extra=exec_extra or None)
    task_role = None
    if shape.task_role_statements is not None:
        task_role = c.role(f"{shape.name}-task-role",
                           inline={"app": shape.task_role_statements})
    if not shape.create_log_group:
        c.log_group(f"/ecs/{shape.name}", shape.retention)
    built.task_definition = c.task_definition(
        shape.name, containers_for(shape, image, secrets, built.database_host),
        execution_role=role, task_role=task_role, arch=shape.arch)
    c.cluster(shape.cluster)
    load_balancers: list[dict[str, Any]] = []
    if shape.load_balancer:
        built.alb = c.alb(f"{shape.name}-alb", lb_subnets, [built.alb_group],
                          dualstack=shape.dualstack)
        built.target_group = c.target_group(
            f"ecs-{shape.cluster}-{shape.service}"[:32].rstrip("-"), net.vpc, shape.port,
            path=shape.health_path, interval=shape.interval, timeout=shape.timeout,
            unhealthy=shape.unhealthy)
        forward = {"Type": "forward", "TargetGroupArn": built.target_group}
        default = NOT_FOUND_404 if shape.listener_rules else forward
        if shape.https:
            c.listener(built.alb["arn"], 80, REDIRECT_HTTPS)
            built.listener = c.listener(built.alb["arn"], 443, default, https=True)
        else:
            built.listener = c.listener(built.alb["arn"], 80, default)
        if shape.listener_rules:
            c.rule(built.listener, 10, [
                {"Field": "host-header", "HostHeaderConfig": {"Values": [f"api.{shape.zone}"]}},
                {"Field": "path-pattern", "PathPatternConfig": {"Values": ["/*"]}},
            ], built.target_group)
        load_balancers = [{"targetGroupArn": built.target_group,
                           "containerName": shape.container, "containerPort": shape.port}]
    c.service(shape.cluster, shape.service, built.task_definition, subnets=task_subnets,
              groups=[built.service_group], desired=shape.desired,
              public_ip=shape.network == "default", load_balancers=load_balancers,
              grace=shape.grace, circuit_breaker=shape.circuit_breaker)
    if shape.load_balancer:
        c.register(built.target_group, task_addresses(shape), shape.port)
        dns(c, shape, built)
    return built


def task_addresses(shape: Shape) -> list[str]:
    """Addresses inside the task subnets (the wizard's private /20s, the default VPC's)."""
    if shape.network == "default":
        return [f"172.31.{16 * (i % 2) + 2}.{20 + i}" for i in range(shape.desired)]
    if shape.task_subnets == "other-az":
        return [f"10.0.162.{20 + i}" for i in range(shape.desired)]
    first = 0 if shape.task_subnets == "public" else 128
    return [f"10.0.{first + 16 * (i % 2) + 2}.{20 + i}" for i in range(shape.desired)]


def dns(c: Console, shape: Shape, built: Built) -> None:
    if shape.dns == "none":
        return
    built.zone = c.zone(shape.zone)
    name = f"api.{shape.zone}"
    if shape.dns == "alias":
        c.alias(built.zone, name, built.alb)
    elif shape.dns == "alias-plain":
        c.alias(built.zone, name, built.alb, dualstack_prefix=False)
    elif shape.dns == "alias-aaaa":
        c.alias(built.zone, name, built.alb, kinds=("A", "AAAA"))
    elif shape.dns == "cname":
        c.cname(built.zone, name, built.alb["dns"])
    elif shape.dns == "split":
        c.alias(built.zone, name, built.alb)
        inner = c.zone(shape.zone, private_vpc=built.network.vpc)
        c.alias(inner, name, built.alb)


def ecr_host(region: str = REGION) -> str:
    return f"{ACCOUNT}.dkr.ecr.{region}.amazonaws.com"
