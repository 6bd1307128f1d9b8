"""Hand-made snapshots for table tests of the pure checks: ``healthy()`` and small edits of it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from shipit.aws.ecr import Repository
from shipit.aws.ecs import LoadBalancerRef, Service, Task
from shipit.aws.identity import Identity
from shipit.aws.route53 import HostedZone, RecordSet
from shipit.doctor.facts import (
    AclEntry,
    Action,
    Container,
    Database,
    Fact,
    Image,
    InternetGateway,
    Listener,
    LoadBalancer,
    LogGroup,
    NatGateway,
    Network,
    NetworkAcl,
    PortMapping,
    Role,
    Route,
    RouteTable,
    Rule,
    SecurityGroup,
    Snapshot,
    Statement,
    Subnet,
    TargetGroup,
    TargetHealth,
    TaskDefinition,
)

ACCOUNT = "123456789012"
REGISTRY = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"
TD_ARN = f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/articles:3"
TG_ARN = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:targetgroup/articles/1"
LB_ARN = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/app/articles/1"
SECRET = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:articles/db-password"


def container(**changes: Any) -> Container:
    base = Container(
        name="app",
        image=f"{REGISTRY}/articles@sha256:{'a' * 64}",
        port_mappings=(PortMapping(8000, 8000),),
        environment=(("PORT", "8000"),
                     ("DATABASE_URL", "postgresql://articles@db.example:5432/a"),
                     ("CORS_ALLOWED_ORIGINS", "https://app.example.com")),
        secrets=(("DB_PASSWORD", SECRET),),
        log_driver="awslogs",
        log_options={"awslogs-group": "/ecs/articles", "awslogs-region": "us-east-1"},
    )
    return replace(base, **changes)


def task_definition(**changes: Any) -> TaskDefinition:
    base = TaskDefinition(
        arn=TD_ARN, family="articles", revision=3, network_mode="awsvpc",
        platform="linux/amd64", execution_role_arn=f"arn:aws:iam::{ACCOUNT}:role/exec",
        containers=(container(),),
    )
    return replace(base, **changes)


def service(**changes: Any) -> Service:
    base = Service(
        arn=f"arn:aws:ecs:us-east-1:{ACCOUNT}:service/articles/articles", name="articles",
        cluster_arn=f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/articles", status="ACTIVE",
        task_definition=TD_ARN, desired=2, running=2, pending=0, deployments=(), events=(),
        load_balancers=(LoadBalancerRef(TG_ARN, "app", 8000),), circuit_breaker=True,
        circuit_breaker_rollback=True, launch_type="FARGATE", health_check_grace_seconds=30,
        subnets=("subnet-a",), security_groups=("sg-tasks",),
    )
    return replace(base, **changes)


def stopped(reason: str, task_definition_arn: str = TD_ARN) -> Task:
    return Task(
        arn=f"arn:aws:ecs:us-east-1:{ACCOUNT}:task/articles/abc",
        task_definition=task_definition_arn,
        last_status="STOPPED", desired_status="STOPPED", started_by=None, group="service:articles",
        stopped_reason=reason, stop_code=None, created_at=None, started_at=None, stopped_at=None,
    )


def target_group(**changes: Any) -> TargetGroup:
    base = TargetGroup(
        arn=TG_ARN, name="articles", port=8000, protocol="HTTP", vpc_id="vpc-1",
        target_type="ip", health_path="/api/health", health_port="traffic-port",
        health_interval=10, health_timeout=5, healthy_threshold=2, unhealthy_threshold=2,
        matcher="200", load_balancer_arns=(LB_ARN,),
    )
    return replace(base, **changes)


def load_balancer(**changes: Any) -> LoadBalancer:
    base = LoadBalancer(
        arn=LB_ARN, name="articles", dns_name="articles-1.us-east-1.elb.amazonaws.com",
        scheme="internet-facing", state="active", ip_address_type="ipv4",
        security_groups=("sg-alb",), vpc_id="vpc-1", canonical_zone_id="Z35SXDOTRQ7X7K",
        subnets=("subnet-pub",),
    )
    return replace(base, **changes)


def groups(**changes: SecurityGroup) -> dict[str, SecurityGroup]:
    everything = (Rule("-1", 0, 65535, cidr="0.0.0.0/0"),)
    base = {
        "sg-alb": SecurityGroup("sg-alb", "alb", "vpc-1",
                                ingress=(Rule("tcp", 443, 443, cidr="0.0.0.0/0"),),
                                egress=everything),
        "sg-tasks": SecurityGroup("sg-tasks", "tasks", "vpc-1",
                                  ingress=(Rule("tcp", 8000, 8000, group_id="sg-alb"),),
                                  egress=everything),
        "sg-db": SecurityGroup("sg-db", "db", "vpc-1",
                               ingress=(Rule("tcp", 5432, 5432, group_id="sg-tasks"),),
                               egress=everything),
    }
    return {**base, **changes}


LISTENER_ARN = LB_ARN.replace(":loadbalancer/", ":listener/") + "/443"
OPEN_ACL = NetworkAcl("acl-1", "vpc-1", ("subnet-pub", "subnet-a", "subnet-db"), (
    AclEntry(100, False, "-1", 0, 65535, "0.0.0.0/0", True),
    AclEntry(100, True, "-1", 0, 65535, "0.0.0.0/0", True),
    AclEntry(32767, False, "-1", 0, 65535, "0.0.0.0/0", False),
    AclEntry(32767, True, "-1", 0, 65535, "0.0.0.0/0", False),
), default=True)


def route_table(table_id: str, subnets: tuple[str, ...], *routes: Route,
                main: bool = False) -> RouteTable:
    return RouteTable(table_id, "vpc-1", subnets, main,
                      (Route("10.0.0.0/16", "local"), *routes))


def network(**changes: Any) -> Network:
    """Public subnet (ALB, NAT) -> igw-1; task subnet -> nat-1; DB subnet: local only."""
    base = Network(
        vpc_ids=("vpc-1",),
        subnets=(Subnet("subnet-pub", "vpc-1", "10.0.0.0/24"),
                 Subnet("subnet-a", "vpc-1", "10.0.1.0/24"),
                 Subnet("subnet-db", "vpc-1", "10.0.2.0/24")),
        route_tables=(
            route_table("rtb-main", (), main=True),
            route_table("rtb-pub", ("subnet-pub",), Route("0.0.0.0/0", "igw-1")),
            route_table("rtb-tasks", ("subnet-a",), Route("0.0.0.0/0", "nat-1")),
        ),
        acls=(OPEN_ACL,),
        nat_gateways=(NatGateway("nat-1", "vpc-1", "subnet-pub", "available"),),
        internet_gateways=(InternetGateway("igw-1", ("vpc-1",)),),
    )
    return replace(base, **changes)


def listener(**changes: Any) -> Listener:
    base = Listener(LISTENER_ARN, 443, "HTTPS", (Action("forward", (TG_ARN,)),))
    return replace(base, **changes)


def role(**changes: Any) -> Role:
    base = Role(
        name="exec", arn=f"arn:aws:iam::{ACCOUNT}:role/exec",
        trusted_services=("ecs-tasks.amazonaws.com",),
        statements=(
            Statement("Allow", ("ecr:GetAuthorizationToken",), ("*",)),
            Statement("Allow", ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"),
                      (f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/articles",)),
            Statement("Allow", ("logs:CreateLogStream", "logs:PutLogEvents"),
                      (f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/ecs/articles:*",)),
            Statement("Allow", ("secretsmanager:GetSecretValue",), (SECRET,)),
        ),
    )
    return replace(base, **changes)


def healthy(**facts: Any) -> Snapshot:
    """A snapshot on which every pure check passes; ``facts`` replace whole fields."""
    lb = load_balancer()
    snapshot = Snapshot(
        env="prod", region="us-east-1", account_id=ACCOUNT, cluster="articles",
        http_url="https://api.example.com", cors_origins=("https://app.example.com",),
        container_name="app", dns_name="api.example.com",
        env_var_names={"dev": frozenset({"A", "B"}), "prod": frozenset({"A", "B"})},
        identity=Fact.ok(Identity(ACCOUNT, f"arn:aws:iam::{ACCOUNT}:user/ci", "AID", "us-east-1",
                                  "shipit.toml", None, None, "https://sts", "env")),
        repository=Fact.ok(Repository("articles", f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/"
                                      "articles", f"{REGISTRY}/articles", ACCOUNT, "IMMUTABLE",
                                      (), True, "AES256")),
        service=Fact.ok(service()),
        task_definition=Fact.ok(task_definition()),
        image=Fact.ok(Image(container().image, "sha256:" + "a" * 64,
                            "application/vnd.oci.image.index.v1+json",
                            ("linux/amd64", "linux/arm64"))),
        stopped_tasks=Fact.ok(()),
        log_group=Fact.ok(LogGroup("/ecs/articles", 30)),
        target_groups=Fact.ok((target_group(),)),
        target_health=Fact.ok({TG_ARN: (TargetHealth("10.0.1.5", 8000, "healthy", None, None),)}),
        load_balancer=Fact.ok(lb),
        security_groups=Fact.ok(groups()),
        subnet_vpcs=Fact.ok({"subnet-a": "vpc-1"}),
        database=Fact.ok(Database("articles", "postgres", "db.example", 5432, False, "vpc-1",
                                  ("sg-db",), ("subnet-db",))),
        network=Fact.ok(network()),
        listeners=Fact.ok((listener(),)),
        execution_role=Fact.ok(role()),
        zone=Fact.ok(HostedZone("Z1", "example.com", False)),
        records=Fact.ok((RecordSet("api.example.com", "A", alias_dns_name=lb.dns_name,
                                   alias_zone_id=lb.canonical_zone_id, evaluate_health=True),)),
    )
    return replace(snapshot, **facts)
