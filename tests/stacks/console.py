"""What a person clicking through the AWS console makes, done with boto3 against moto server.

These builders are deliberately NOT shipit's: names are the console's defaults
(``ecsTaskExecutionRole``, ``ecs-<cluster>-<service>`` target groups, ``<name>-sg`` and
``launch-wizard-N`` groups, the ``default`` VPC, the VPC wizard's ``<name>-subnet-public1-<az>``),
and every shape is reachable: several containers, images from any registry, secrets by any
reference ECS accepts, HTTPS with a redirect, listener rules, CNAMEs, private zones.

Where moto differs from AWS the builder says so and makes moto look like AWS:
- moto's default VPC has no internet gateway; AWS's has one with a 0.0.0.0/0 route.
- moto's CreateService drops the deployment configuration and the grace period; UpdateService
  stores them (the console sets both at creation).
- moto counts no running task until UpdateService(desiredCount=N): a deployed service runs N.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import boto3

ACCOUNT = "123456789012"
REGION = "us-east-1"
EXEC_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
TRUST_ECS_TASKS = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
    "Action": "sts:AssumeRole"}]})
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


@dataclass(frozen=True)
class Network:
    vpc: str
    public: tuple[str, ...]
    private: tuple[str, ...]
    azs: dict[str, str] = field(default_factory=dict)
    """subnet id -> availability zone."""


class Console:
    """boto3 clients bound to moto (AWS_ENDPOINT_URL), one region."""

    def __init__(self, region: str = REGION) -> None:
        self.region = region
        self._clients: dict[str, Any] = {}

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = boto3.client(  # type: ignore[call-overload]
                service, region_name=self.region)
        return self._clients[service]

    # -- networks ---------------------------------------------------------------------------
    def default_vpc(self) -> Network:
        """The region's default VPC, with the internet gateway AWS gives it (moto does not)."""
        ec2 = self.client("ec2")
        vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]
        vpc_id = vpc["VpcId"]
        subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
        ordered = sorted(subnets["Subnets"], key=lambda s: s["AvailabilityZone"])
        if not ec2.describe_internet_gateways(
                Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])["InternetGateways"]:
            igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
            ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
            main = ec2.describe_route_tables(Filters=[
                {"Name": "vpc-id", "Values": [vpc_id]},
                {"Name": "association.main", "Values": ["true"]}])["RouteTables"][0]
            ec2.create_route(RouteTableId=main["RouteTableId"], DestinationCidrBlock="0.0.0.0/0",
                             GatewayId=igw)
        ids = tuple(s["SubnetId"] for s in ordered)
        return Network(vpc_id, ids, (), {s["SubnetId"]: s["AvailabilityZone"] for s in ordered})

    def wizard_vpc(self, name: str, *, cidr: str = "10.0.0.0/16", azs: int = 2,
                   nat: bool = True, s3_endpoint: bool = True) -> Network:
        """Console: VPC > Create VPC > "VPC and more" (public + private subnets per AZ,
        one NAT gateway, an S3 gateway endpoint)."""
        ec2 = self.client("ec2")
        base = cidr.split(".")[0] + "." + cidr.split(".")[1]
        vpc = ec2.create_vpc(CidrBlock=cidr, TagSpecifications=[_tags("vpc", f"{name}-vpc")])
        vpc_id = vpc["Vpc"]["VpcId"]
        ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
        igw = ec2.create_internet_gateway(
            TagSpecifications=[_tags("internet-gateway", f"{name}-igw")]
        )["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
        public_rtb = ec2.create_route_table(
            VpcId=vpc_id, TagSpecifications=[_tags("route-table", f"{name}-rtb-public")]
        )["RouteTable"]["RouteTableId"]
        ec2.create_route(RouteTableId=public_rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
        zones = [f"{self.region}{letter}" for letter in "abcdef"[:azs]]
        public: list[str] = []
        private: list[str] = []
        where: dict[str, str] = {}
        nat_id: str | None = None
        for index, zone in enumerate(zones):
            pub = ec2.create_subnet(
                VpcId=vpc_id, CidrBlock=f"{base}.{index * 16}.0/20", AvailabilityZone=zone,
                TagSpecifications=[_tags("subnet", f"{name}-subnet-public{index + 1}-{zone}")],
            )["Subnet"]["SubnetId"]
            ec2.associate_route_table(RouteTableId=public_rtb, SubnetId=pub)
            public.append(pub)
            where[pub] = zone
            if nat and nat_id is None:
                eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
                nat_id = ec2.create_nat_gateway(
                    SubnetId=pub, AllocationId=eip,
                    TagSpecifications=[_tags("natgateway", f"{name}-nat-public1-{zone}")],
                )["NatGateway"]["NatGatewayId"]
            priv = ec2.create_subnet(
                VpcId=vpc_id, CidrBlock=f"{base}.{128 + index * 16}.0/20", AvailabilityZone=zone,
                TagSpecifications=[_tags("subnet", f"{name}-subnet-private{index + 1}-{zone}")],
            )["Subnet"]["SubnetId"]
            rtb = ec2.create_route_table(
                VpcId=vpc_id,
                TagSpecifications=[_tags("route-table", f"{name}-rtb-private{index + 1}-{zone}")],
            )["RouteTable"]["RouteTableId"]
            ec2.associate_route_table(RouteTableId=rtb, SubnetId=priv)
            if nat_id is not None:
                ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0",
                                 NatGatewayId=nat_id)
            if s3_endpoint:
                ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=f"com.amazonaws.{self.region}.s3",
                                        VpcEndpointType="Gateway", RouteTableIds=[rtb])
            private.append(priv)
            where[priv] = zone
        return Network(vpc_id, tuple(public), tuple(private), where)

    def security_group(self, name: str, vpc: str, ingress: Sequence[tuple[int, str]] = (),
                       description: str = "") -> str:
        """A group with tcp ``(port, source)`` rules; a source is a CIDR or a group id."""
        ec2 = self.client("ec2")
        group = ec2.create_security_group(
            GroupName=name, VpcId=vpc, Description=description or f"{name} created by hand"
        )["GroupId"]
        for port, source in ingress:
            self.allow(group, port, source)
        return str(group)

    def allow(self, group: str, port: int, source: str) -> None:
        permission: dict[str, Any] = {"IpProtocol": "tcp", "FromPort": port, "ToPort": port}
        if source.startswith("sg-"):
            permission["UserIdGroupPairs"] = [{"GroupId": source}]
        elif ":" in source:
            permission["Ipv6Ranges"] = [{"CidrIpv6": source}]
        else:
            permission["IpRanges"] = [{"CidrIp": source}]
        self.client("ec2").authorize_security_group_ingress(GroupId=group,
                                                           IpPermissions=[permission])

    # -- IAM --------------------------------------------------------------------------------
    def role(self, name: str, *, managed: Sequence[str] = (),
             inline: dict[str, list[dict[str, Any]]] | None = None,
             trust: str = TRUST_ECS_TASKS) -> str:
        iam = self.client("iam")
        try:
            arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
        except iam.exceptions.EntityAlreadyExistsException:
            arn = iam.get_role(RoleName=name)["Role"]["Arn"]
        for policy in managed:
            iam.attach_role_policy(RoleName=name, PolicyArn=policy)
        for policy_name, statements in (inline or {}).items():
            iam.put_role_policy(RoleName=name, PolicyName=policy_name, PolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": statements}))
        return str(arn)

    def execution_role(self, name: str = "ecsTaskExecutionRole",
                       extra: list[dict[str, Any]] | None = None) -> str:
        """The console's role: AmazonECSTaskExecutionRolePolicy (+ an inline policy)."""
        return self.role(name, managed=[EXEC_POLICY],
                         inline={f"{name}-extra": extra} if extra else None)

    # -- secrets ----------------------------------------------------------------------------
    def secret(self, name: str, value: str, stage: str | None = None) -> str:
        sm = self.client("secretsmanager")
        arn = str(sm.create_secret(Name=name, SecretString=value)["ARN"])
        if stage:
            sm.put_secret_value(SecretId=arn, SecretString=value, VersionStages=[stage])
        return arn

    def parameter(self, name: str, value: str) -> str:
        ssm = self.client("ssm")
        ssm.put_parameter(Name=name, Value=value, Type="SecureString")
        path = name if name.startswith("/") else f"/{name}"
        return f"arn:aws:ssm:{self.region}:{ACCOUNT}:parameter{path}"

    # -- images -----------------------------------------------------------------------------
    def ecr_image(self, repository: str, tag: str, *, arches: Sequence[str] = ("amd64",),
                  mutable: bool = True, scan: bool = False, index: bool = True
                  ) -> tuple[str, str]:
        """A repository (console defaults: mutable tags, no scan) and one pushed image, an
        OCI index as buildx pushes it (``index=False``: a single docker manifest, as a plain
        ``docker push``); returns (tag reference, digest reference)."""
        ecr = self.client("ecr")
        try:
            repo = ecr.create_repository(
                repositoryName=repository,
                imageTagMutability="MUTABLE" if mutable else "IMMUTABLE",
                imageScanningConfiguration={"scanOnPush": scan},
            )["repository"]
        except ecr.exceptions.RepositoryAlreadyExistsException:
            repo = ecr.describe_repositories(repositoryNames=[repository])["repositories"][0]
        seed = f"{repository}:{tag}"
        if not index:
            body = json.dumps({"schemaVersion": 2, "mediaType": DOCKER_MANIFEST,
                               "config": {"mediaType": "application/vnd.docker.container.image"
                                          ".v1+json", "size": 1, "digest": _digest(seed + "c")},
                               "layers": []})
            media = DOCKER_MANIFEST
        else:
            body = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
                {"mediaType": OCI_MANIFEST, "digest": _digest(f"{seed}/{arch}"), "size": 1024,
                 "platform": {"os": "linux", "architecture": arch}} for arch in arches]})
            media = OCI_INDEX
        digest = "sha256:" + hashlib.sha256(body.encode()).hexdigest()
        ecr.put_image(repositoryName=repository, imageManifest=body,
                      imageManifestMediaType=media, imageTag=tag, imageDigest=digest)
        uri = repo["repositoryUri"]
        return f"{uri}:{tag}", f"{uri}@{digest}"

    # -- logs -------------------------------------------------------------------------------
    def log_group(self, name: str, retention: int | None = None) -> None:
        logs = self.client("logs")
        logs.create_log_group(logGroupName=name)
        if retention:
            logs.put_retention_policy(logGroupName=name, retentionInDays=retention)

    # -- load balancing ---------------------------------------------------------------------
    def alb(self, name: str, subnets: Sequence[str], groups: Sequence[str], *,
            scheme: str = "internet-facing", dualstack: bool = False) -> dict[str, str]:
        lb = self.client("elbv2").create_load_balancer(
            Name=name, Subnets=list(subnets), SecurityGroups=list(groups), Scheme=scheme,
            Type="application", IpAddressType="dualstack" if dualstack else "ipv4",
        )["LoadBalancers"][0]
        return {"arn": lb["LoadBalancerArn"], "dns": lb["DNSName"],
                "zone": lb["CanonicalHostedZoneId"]}

    def target_group(self, name: str, vpc: str, port: int, *, path: str = "/",
                     interval: int = 30, timeout: int = 5, healthy: int = 5,
                     unhealthy: int = 2, matcher: str = "200") -> str:
        """Console defaults: path /, every 30 s, timeout 5 s, 5 healthy / 2 unhealthy."""
        return str(self.client("elbv2").create_target_group(
            Name=name, Protocol="HTTP", Port=port, VpcId=vpc, TargetType="ip",
            HealthCheckProtocol="HTTP", HealthCheckPath=path, HealthCheckIntervalSeconds=interval,
            HealthCheckTimeoutSeconds=timeout, HealthyThresholdCount=healthy,
            UnhealthyThresholdCount=unhealthy, Matcher={"HttpCode": matcher},
        )["TargetGroups"][0]["TargetGroupArn"])

    def listener(self, lb: str, port: int, action: dict[str, Any], *,
                 https: bool = False) -> str:
        extra: dict[str, Any] = {}
        if https:
            extra = {"Certificates": [{"CertificateArn": self.certificate()}],
                     "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06"}
        return str(self.client("elbv2").create_listener(
            LoadBalancerArn=lb, Protocol="HTTPS" if https else "HTTP", Port=port,
            DefaultActions=[action], **extra,
        )["Listeners"][0]["ListenerArn"])

    def certificate(self, domain: str = "*.example.com") -> str:
        return str(self.client("acm").request_certificate(
            DomainName=domain, ValidationMethod="DNS")["CertificateArn"])

    def rule(self, listener: str, priority: int, conditions: list[dict[str, Any]],
             target_group: str) -> None:
        self.client("elbv2").create_rule(
            ListenerArn=listener, Priority=priority, Conditions=conditions,
            Actions=[{"Type": "forward", "TargetGroupArn": target_group}])

    def register(self, target_group: str, addresses: Sequence[str], port: int) -> None:
        self.client("elbv2").register_targets(
            TargetGroupArn=target_group, Targets=[{"Id": a, "Port": port} for a in addresses])

    # -- ECS --------------------------------------------------------------------------------
    def cluster(self, name: str) -> None:
        self.client("ecs").create_cluster(clusterName=name)

    def task_definition(self, family: str, containers: list[dict[str, Any]], *,
                        execution_role: str | None, task_role: str | None = None,
                        arch: str = "X86_64", cpu: str = "512", memory: str = "1024") -> str:
        extra: dict[str, Any] = {}
        if execution_role:
            extra["executionRoleArn"] = execution_role
        if task_role:
            extra["taskRoleArn"] = task_role
        return str(self.client("ecs").register_task_definition(
            family=family, networkMode="awsvpc", requiresCompatibilities=["FARGATE"],
            cpu=cpu, memory=memory,
            runtimePlatform={"cpuArchitecture": arch, "operatingSystemFamily": "LINUX"},
            containerDefinitions=containers, **extra,
        )["taskDefinition"]["taskDefinitionArn"])

    def service(self, cluster: str, name: str, task_definition: str, *, subnets: Sequence[str],
                groups: Sequence[str], desired: int = 1, public_ip: bool = False,
                load_balancers: Sequence[dict[str, Any]] = (), grace: int | None = None,
                circuit_breaker: bool = True) -> None:
        """Create the service, then what moto's CreateService drops (see the module doc)."""
        ecs = self.client("ecs")
        ecs.create_service(
            cluster=cluster, serviceName=name, taskDefinition=task_definition, desiredCount=desired,
            launchType="FARGATE", loadBalancers=list(load_balancers),
            networkConfiguration={"awsvpcConfiguration": {
                "subnets": list(subnets), "securityGroups": list(groups),
                "assignPublicIp": "ENABLED" if public_ip else "DISABLED"}},
        )
        changes: dict[str, Any] = {"desiredCount": desired, "deploymentConfiguration": {
            "deploymentCircuitBreaker": {"enable": circuit_breaker, "rollback": circuit_breaker},
            "maximumPercent": 200, "minimumHealthyPercent": 100}}
        if grace is not None and load_balancers:
            changes["healthCheckGracePeriodSeconds"] = grace
        ecs.update_service(cluster=cluster, service=name, **changes)

    # -- RDS --------------------------------------------------------------------------------
    def database(self, identifier: str, subnets: Sequence[str], groups: Sequence[str], *,
                 public: bool = False) -> str:
        rds = self.client("rds")
        name = f"default-{identifier}"
        rds.create_db_subnet_group(DBSubnetGroupName=name, DBSubnetGroupDescription="console",
                                   SubnetIds=list(subnets))
        found = rds.create_db_instance(
            DBInstanceIdentifier=identifier, Engine="postgres", DBInstanceClass="db.t4g.micro",
            AllocatedStorage=20, MasterUsername="postgres", MasterUserPassword="Planted-Pw-1",
            DBSubnetGroupName=name, VpcSecurityGroupIds=list(groups), PubliclyAccessible=public,
        )["DBInstance"]
        return str(found["Endpoint"]["Address"] if "Endpoint" in found else
                   rds.describe_db_instances(DBInstanceIdentifier=identifier)
                   ["DBInstances"][0]["Endpoint"]["Address"])

    # -- Route 53 ---------------------------------------------------------------------------
    def zone(self, name: str, *, private_vpc: str | None = None) -> str:
        extra: dict[str, Any] = {}
        if private_vpc:
            extra = {"VPC": {"VPCRegion": self.region, "VPCId": private_vpc},
                     "HostedZoneConfig": {"PrivateZone": True, "Comment": "internal"}}
        return str(self.client("route53").create_hosted_zone(
            Name=name, CallerReference=f"{name}-{private_vpc}", **extra,
        )["HostedZone"]["Id"])

    def alias(self, zone: str, name: str, lb: dict[str, str], *, kinds: Sequence[str] = ("A",),
              dualstack_prefix: bool = True) -> None:
        target = f"dualstack.{lb['dns']}" if dualstack_prefix else lb["dns"]
        self._records(zone, [{"Name": name, "Type": kind, "AliasTarget": {
            "HostedZoneId": lb["zone"], "DNSName": target, "EvaluateTargetHealth": True}}
            for kind in kinds])

    def cname(self, zone: str, name: str, value: str, ttl: int = 300) -> None:
        self._records(zone, [{"Name": name, "Type": "CNAME", "TTL": ttl,
                              "ResourceRecords": [{"Value": value}]}])

    def _records(self, zone: str, records: list[dict[str, Any]]) -> None:
        self.client("route53").change_resource_record_sets(HostedZoneId=zone, ChangeBatch={
            "Changes": [{"Action": "UPSERT", "ResourceRecordSet": r} for r in records]})


def _tags(kind: str, name: str) -> dict[str, Any]:
    return {"ResourceType": kind, "Tags": [{"Key": "Name", "Value": name}]}


def _digest(seed: str) -> str:
    return "sha256:" + hashlib.sha256(seed.encode()).hexdigest()


def awslogs(group: str, region: str = REGION, *, prefix: str = "ecs",
            create: bool = False) -> dict[str, Any]:
    """The console's log configuration (it turns awslogs-create-group on by default)."""
    options = {"awslogs-group": group, "awslogs-region": region, "awslogs-stream-prefix": prefix}
    if create:
        options["awslogs-create-group"] = "true"
    return {"logDriver": "awslogs", "options": options}
