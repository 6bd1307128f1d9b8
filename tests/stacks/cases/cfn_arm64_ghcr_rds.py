"""CloudFormation: an ARM64 task running a GHCR image, a database reached by the tasks, two
origins. The ECS service's LoadBalancers and DeploymentConfiguration are applied with the API
afterwards (moto's CloudFormation drops them)."""

from __future__ import annotations

from tests.stacks import cfn
from tests.stacks.console import Console


def build(c: Console) -> None:
    outputs = cfn.create(c, "fargate_service.yaml", "catalog",
                         Image="ghcr.io/example-org/catalog:2.3.0", Arch="ARM64",
                         WithDatabase="true", ContainerPort="8000", HealthPath="/status",
                         Origins="https://www.example.net,https://admin.example.net")
    cfn.finish(c, outputs, service="web", container="web", port=8000, arch="ARM64")
    # moto's CloudFormation drops the database group's ingress from the tasks' group: by API.
    rds = c.client("rds").describe_db_instances(DBInstanceIdentifier="catalog-postgres")
    group = rds["DBInstances"][0]["VpcSecurityGroups"][0]["VpcSecurityGroupId"]
    rules = c.client("ec2").describe_security_groups(GroupIds=[group])["SecurityGroups"][0]
    if not rules["IpPermissions"]:
        c.allow(group, 5432, outputs["TaskGroup"])
