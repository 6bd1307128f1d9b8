"""A stack clicked together in the console, rebuilt with plain boto3 calls on moto server:
the console's names (``ecsTaskExecutionRole``, ``ecs-<cluster>-<service>`` target groups, the
default VPC), not shipit's. Each test states the shape it needs through ``Shape``."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import boto3

REGION = "us-east-1"
ACCOUNT = "123456789012"
PLANTED = {
    "DB_PASSWORD": "planted-Pa55word-9f3c",
    "STRIPE_SECRET": "sk_live_plantedA1B2C3D4E5F6",
    "URL_PASSWORD": "planted-url-secret-77",
}
"""Secret values a careless console user put in plain variables; never printed by init."""


@dataclass
class Shape:
    cluster: str = "shop"
    service: str = "storefront"
    containers: list[dict[str, Any]] = field(default_factory=list)
    """Container definitions; default: one essential ``web`` container on port 3000."""
    health_path: str = "/"
    cpu_architecture: str | None = None
    behind_alb: bool = True
    records: list[tuple[str, str]] = field(default_factory=lambda: [("shop.example.org", "A")])
    """(name, type) of records leading to the ALB: "A"/"AAAA" aliases or "CNAME"."""
    https: bool = False
    desired: int = 2
    listener_port: int = 80
    host_rule: str | None = None
    """A host the listener routes to the service by rule (the default answers 404)."""


def app_container(**extra: Any) -> dict[str, Any]:
    container: dict[str, Any] = {
        "name": "web", "image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/storefront:v42",
        "essential": True, "cpu": 256, "memory": 512,
        "portMappings": [{"containerPort": 3000, "protocol": "tcp"}],
        "environment": [{"name": "NODE_ENV", "value": "production"}],
        "logConfiguration": {"logDriver": "awslogs", "options": {
            "awslogs-group": "/ecs/storefront", "awslogs-region": REGION,
            "awslogs-stream-prefix": "ecs", "awslogs-create-group": "true"}},
    }
    container.update(extra)
    return container


def build(shape: Shape) -> dict[str, Any]:
    """Create the stack on the moto server boto3 points at; returns its ids."""
    ec2: Any = boto3.client("ec2")
    elb: Any = boto3.client("elbv2")
    ecs: Any = boto3.client("ecs")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]
    subnets = [s["SubnetId"] for s in ec2.describe_subnets(
        Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["Subnets"]][:2]
    group = ec2.create_security_group(GroupName=f"{shape.service}-sg-1234",
                                      Description="created by the console",
                                      VpcId=vpc["VpcId"])["GroupId"]
    ids: dict[str, Any] = {"subnets": subnets, "group": group}
    definition = ecs.register_task_definition(
        family=shape.service, networkMode="awsvpc", requiresCompatibilities=["FARGATE"],
        cpu="512", memory="1024",
        executionRoleArn=f"arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole",
        **({"runtimePlatform": {"cpuArchitecture": shape.cpu_architecture,
                                "operatingSystemFamily": "LINUX"}}
           if shape.cpu_architecture else {}),
        containerDefinitions=shape.containers or [app_container()],
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.create_cluster(clusterName=shape.cluster)
    balancers: list[dict[str, Any]] = []
    if shape.behind_alb:
        lb = elb.create_load_balancer(Name=f"{shape.service}-alb", Subnets=subnets,
                                      SecurityGroups=[group], Scheme="internet-facing",
                                      Type="application")["LoadBalancers"][0]
        tg = elb.create_target_group(
            Name=f"ecs-{shape.cluster}-{shape.service}", Protocol="HTTP", Port=80,
            VpcId=vpc["VpcId"], TargetType="ip", HealthCheckPath=shape.health_path,
        )["TargetGroups"][0]
        forward = {"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}
        not_found = {"Type": "fixed-response", "FixedResponseConfig": {
            "StatusCode": "404", "ContentType": "text/plain", "MessageBody": "not found"}}
        listener = elb.create_listener(
            LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=shape.listener_port,
            DefaultActions=[not_found if shape.host_rule else forward])["Listeners"][0]
        if shape.host_rule:
            elb.create_rule(ListenerArn=listener["ListenerArn"], Priority=10, Actions=[forward],
                            Conditions=[{"Field": "host-header", "HostHeaderConfig": {
                                "Values": [shape.host_rule]}}])
        if shape.https:
            elb.create_listener(
                LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTPS", Port=443,
                Certificates=[{"CertificateArn": boto3.client("acm").request_certificate(
                    DomainName="shop.example.org")["CertificateArn"]}],
                DefaultActions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}])
        balancers = [{"targetGroupArn": tg["TargetGroupArn"], "containerName": "web",
                      "containerPort": 3000}]
        ids.update(alb=lb["LoadBalancerName"], alb_dns=lb["DNSName"],
                   alb_zone=lb["CanonicalHostedZoneId"])
        _records(shape, lb)
    ecs.create_service(cluster=shape.cluster, serviceName=shape.service,
                       taskDefinition=definition, desiredCount=shape.desired,
                       launchType="FARGATE", loadBalancers=balancers,
                       networkConfiguration={"awsvpcConfiguration": {
                           "subnets": subnets, "securityGroups": [group],
                           "assignPublicIp": "ENABLED"}})
    return ids


def _records(shape: Shape, lb: dict[str, Any]) -> None:
    if not shape.records:
        return
    route53: Any = boto3.client("route53")
    zone = route53.create_hosted_zone(Name="example.org", CallerReference="console-1")
    zone_id = zone["HostedZone"]["Id"]
    changes: list[Any] = []
    for name, kind in shape.records:
        if kind == "CNAME":
            record: dict[str, Any] = {"Name": name, "Type": "CNAME", "TTL": 300,
                                      "ResourceRecords": [{"Value": lb["DNSName"]}]}
        else:
            record = {"Name": name, "Type": kind, "AliasTarget": {
                "HostedZoneId": lb["CanonicalHostedZoneId"],
                "DNSName": f"dualstack.{lb['DNSName']}", "EvaluateTargetHealth": True}}
        changes.append({"Action": "CREATE", "ResourceRecordSet": record})
    route53.change_resource_record_sets(HostedZoneId=zone_id,
                                        ChangeBatch={"Changes": changes})


def secret(name: str, value: str) -> str:
    """A Secrets Manager secret (its value is never read by init); returns its ARN."""
    answer = boto3.client("secretsmanager").create_secret(
        Name=name, SecretString=json.dumps({"password": value}))
    return str(answer["ARN"])


def parameter(name: str, value: str) -> str:
    boto3.client("ssm").put_parameter(Name=name, Value=value, Type="SecureString")
    return name


def database(identifier: str) -> str:
    """An RDS instance as the console makes it; returns its endpoint address."""
    rds: Any = boto3.client("rds")
    answer = rds.create_db_instance(
        DBInstanceIdentifier=identifier, Engine="postgres", DBInstanceClass="db.t4g.micro",
        AllocatedStorage=20, MasterUsername="postgres", MasterUserPassword="console-made-1")
    return str(answer["DBInstance"]["Endpoint"]["Address"])
