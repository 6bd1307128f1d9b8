"""The reference stack of the checklist's diagram, created in the sandbox's moto.

VPC with public, task and DB subnets (network.py) -> security groups (alb -> tasks:8000 ->
db:5432) -> RDS Postgres -> ECR repository (+ an initial two-platform image) -> IAM execution
role -> log group -> ALB + target group + listener -> ECS cluster, task definition and Fargate
service -> Route53 zone.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from shipit.defaults import POSTGRES_PORT
from shipit.sandbox.names import ACCOUNT_ID, CONTAINER_PORT, CORS_ORIGIN, StackNames
from shipit.sandbox.network import create_network
from shipit.sandbox.stack_ids import (
    DatabaseIds,
    ImageIds,
    LoadBalancerIds,
    SecurityGroupIds,
    ServiceIds,
    StackIds,
)

ClientFactory = Callable[[str], Any]
"""Returns an AWS API client for a service name (bound to the sandbox endpoint)."""

DB_PASSWORD = "sandbox-password"  # noqa: S105 - a local, throwaway sandbox secret
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
ASSUME_ECS_TASKS = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def image_index(platforms: list[tuple[str, str]], seed: str) -> tuple[str, str]:
    """An OCI index JSON with one entry per (os, arch), and its sha256 digest."""
    manifests = []
    for os_name, arch in platforms:
        child = hashlib.sha256(f"{seed}/{os_name}/{arch}".encode()).hexdigest()
        manifests.append(
            {
                "mediaType": OCI_MANIFEST,
                "digest": f"sha256:{child}",
                "size": 1024,
                "platform": {"os": os_name, "architecture": arch},
            }
        )
    body = json.dumps(
        {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests}, indent=2
    )
    return body, "sha256:" + hashlib.sha256(body.encode()).hexdigest()


def create_stack(client: ClientFactory, names: StackNames, env: dict[str, str]) -> StackIds:
    """Create every resource; return their ids and ARNs (the daemon stores them in state)."""
    ec2 = client("ec2")
    network = create_network(ec2, names)
    vpc, subnets = network["vpc_id"], network["task_subnet_ids"]
    groups = _security_groups(ec2, names, vpc)
    db = _database(client, names, network["db_subnet_ids"], groups["db"])
    secret_arn = client("secretsmanager").create_secret(
        Name=names.secret_name, SecretString=DB_PASSWORD
    )["ARN"]
    image = _repository(client, names)
    role_arn = _execution_role(client, names, secret_arn)
    logs = client("logs")
    logs.create_log_group(logGroupName=names.log_group)
    logs.put_retention_policy(logGroupName=names.log_group, retentionInDays=30)
    lb = _load_balancer(client, names, vpc, network["public_subnet_ids"], groups["alb"])
    environment = {
        "CORS_ALLOWED_ORIGINS": CORS_ORIGIN,
        **env,
        "DATABASE_URL": database_url(names, db["address"]),
    }
    ecs = _ecs(
        client, names, subnets, groups["tasks"], lb["target_group_arn"], role_arn,
        image, environment, secret_arn,
    )
    zone = client("route53").create_hosted_zone(
        Name=names.zone, CallerReference=f"shipit-sandbox-{names.prefix}"
    )["HostedZone"]["Id"].rsplit("/", 1)[-1]
    return {
        **network,
        "subnet_ids": subnets,
        "security_groups": groups,
        "db": db,
        "secret_arn": secret_arn,
        "image": image,
        "execution_role_arn": role_arn,
        "log_group": names.log_group,
        **lb,
        **ecs,
        "hosted_zone_id": zone,
        "vars": environment,
    }


def database_url(names: StackNames, address: str) -> str:
    return f"postgresql://{names.db_name}@{address}:{POSTGRES_PORT}/{names.db_name}"


def _security_groups(ec2: Any, names: StackNames, vpc: str) -> SecurityGroupIds:
    def group(role: str, description: str) -> str:
        return str(ec2.create_security_group(
            GroupName=f"{names.prefix}-{role}", Description=description, VpcId=vpc
        )["GroupId"])

    alb = group("alb", "ALB: HTTP and HTTPS from anywhere")
    tasks = group("tasks", "ECS tasks: the container port from the ALB only")
    db = group("db", "RDS: PostgreSQL from the ECS tasks only")
    ec2.authorize_security_group_ingress(GroupId=alb, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": p, "ToPort": p, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
        for p in (80, 443)
    ])
    for target, source, port in ((tasks, alb, CONTAINER_PORT), (db, tasks, POSTGRES_PORT)):
        ec2.authorize_security_group_ingress(GroupId=target, IpPermissions=[{
            "IpProtocol": "tcp", "FromPort": port, "ToPort": port,
            "UserIdGroupPairs": [{"GroupId": source}],
        }])
    return {"alb": alb, "tasks": tasks, "db": db}


def _database(
    client: ClientFactory, names: StackNames, subnets: list[str], group: str
) -> DatabaseIds:
    rds = client("rds")
    rds.create_db_subnet_group(
        DBSubnetGroupName=names.prefix, DBSubnetGroupDescription="sandbox", SubnetIds=subnets
    )
    instance = rds.create_db_instance(
        DBInstanceIdentifier=names.db_instance, Engine="postgres", EngineVersion="16.3",
        DBInstanceClass="db.t4g.micro", AllocatedStorage=20, DBName=names.db_name,
        MasterUsername=names.db_name, MasterUserPassword=DB_PASSWORD,
        DBSubnetGroupName=names.prefix, VpcSecurityGroupIds=[group],
        PubliclyAccessible=False, StorageEncrypted=True,
    )["DBInstance"]
    endpoint = instance.get("Endpoint") or {}
    return {
        "identifier": names.db_instance,
        "arn": instance.get("DBInstanceArn"),
        "address": endpoint.get("Address", f"{names.db_instance}.sandbox.rds.amazonaws.com"),
        "port": endpoint.get("Port", POSTGRES_PORT),
    }


def _repository(client: ClientFactory, names: StackNames) -> ImageIds:
    ecr = client("ecr")
    # As `shipit push` creates one: sha tags immutable, `latest` allowed to move.
    repo = ecr.create_repository(
        repositoryName=names.repository, imageTagMutability="IMMUTABLE_WITH_EXCLUSION",
        imageTagMutabilityExclusionFilters=[{"filter": "latest", "filterType": "WILDCARD"}],
        imageScanningConfiguration={"scanOnPush": True},
        encryptionConfiguration={"encryptionType": "AES256"},
    )["repository"]
    body, digest = image_index([("linux", "amd64"), ("linux", "arm64")], seed=names.prefix)
    ecr.put_image(
        repositoryName=names.repository, imageManifest=body, imageManifestMediaType=OCI_INDEX,
        imageTag=names.initial_tag, imageDigest=digest,
    )
    return {
        "repository_uri": repo["repositoryUri"],
        "repository_arn": repo["repositoryArn"],
        "digest": digest,
        "ref": f"{names.registry}/{names.repository}@{digest}",
    }


def _execution_role(client: ClientFactory, names: StackNames, secret_arn: str) -> str:
    iam = client("iam")
    role = iam.create_role(
        RoleName=names.execution_role, AssumeRolePolicyDocument=json.dumps(ASSUME_ECS_TASKS)
    )["Role"]
    iam.put_role_policy(RoleName=names.execution_role, PolicyName="pull-log-secrets",
                        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"], "Resource": "*"},
        {"Effect": "Allow", "Action": [
            "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage",
        ], "Resource": f"arn:aws:ecr:{names.region}:{ACCOUNT_ID}:repository/{names.repository}"},
        {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": f"arn:aws:logs:{names.region}:{ACCOUNT_ID}:log-group:{names.log_group}:*"},
        {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": secret_arn},
    ]}))
    return str(role["Arn"])


def _load_balancer(
    client: ClientFactory, names: StackNames, vpc: str, subnets: list[str], group: str
) -> LoadBalancerIds:
    elb = client("elbv2")
    lb = elb.create_load_balancer(
        Name=names.load_balancer, Subnets=subnets, SecurityGroups=[group],
        Scheme="internet-facing", Type="application", IpAddressType="ipv4",
    )["LoadBalancers"][0]
    tg = elb.create_target_group(
        Name=names.target_group, Protocol="HTTP", Port=CONTAINER_PORT, VpcId=vpc,
        TargetType="ip", HealthCheckProtocol="HTTP", HealthCheckPath=names.health_path,
        # AWS's ECS best-practices guide for a service that starts in under 10 s: checks every
        # 5 s, healthy after 2 (10 s, against 150 s with the defaults); the timeout must be
        # shorter than the interval.
        HealthCheckIntervalSeconds=5, HealthCheckTimeoutSeconds=4, HealthyThresholdCount=2,
        UnhealthyThresholdCount=2, Matcher={"HttpCode": "200"},
    )["TargetGroups"][0]
    listener = elb.create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}],
    )["Listeners"][0]
    return {
        "load_balancer_arn": lb["LoadBalancerArn"],
        "load_balancer_dns": lb["DNSName"],
        "target_group_arn": tg["TargetGroupArn"],
        "listener_arn": listener["ListenerArn"],
    }


def _ecs(
    client: ClientFactory, names: StackNames, subnets: list[str], group: str, tg_arn: str,
    role_arn: str, image: ImageIds, env: dict[str, str], secret_arn: str,
) -> ServiceIds:
    ecs = client("ecs")
    cluster = ecs.create_cluster(clusterName=names.cluster)["cluster"]["clusterArn"]
    definition = ecs.register_task_definition(
        family=names.family, networkMode="awsvpc", requiresCompatibilities=["FARGATE"],
        cpu="256", memory="512", executionRoleArn=role_arn,
        runtimePlatform={"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"},
        containerDefinitions=[{
            "name": names.container, "image": image["ref"], "cpu": 256, "memory": 512,
            "essential": True,
            "portMappings": [{"containerPort": CONTAINER_PORT, "protocol": "tcp"}],
            "environment": [{"name": k, "value": v} for k, v in sorted(env.items())],
            "secrets": [{"name": "DB_PASSWORD", "valueFrom": secret_arn}],
            "logConfiguration": {"logDriver": "awslogs", "options": {
                "awslogs-group": names.log_group, "awslogs-region": names.region,
                "awslogs-stream-prefix": names.log_stream_prefix,
            }},
        }],
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.create_service(
        cluster=names.cluster, serviceName=names.service, taskDefinition=definition,
        desiredCount=1, launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {
            "subnets": subnets, "securityGroups": [group], "assignPublicIp": "DISABLED",
        }},
        loadBalancers=[{
            "targetGroupArn": tg_arn, "containerName": names.container,
            "containerPort": CONTAINER_PORT,
        }],
    )
    # moto's CreateService ignores these two; UpdateService stores them.
    ecs.update_service(
        cluster=names.cluster, service=names.service, healthCheckGracePeriodSeconds=30,
        deploymentConfiguration={
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            "maximumPercent": 200, "minimumHealthyPercent": 100,
        },
    )
    return {"cluster_arn": cluster, "task_definition_arn": definition}
