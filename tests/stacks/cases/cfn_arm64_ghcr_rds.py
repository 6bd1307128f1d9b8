"""CloudFormation: an ARM64 task running a GHCR image, a database reached by the tasks, two
origins. The ECS service's LoadBalancers and DeploymentConfiguration are applied with the API
afterwards (moto's CloudFormation drops them), and so are the database's security group and
port."""

from __future__ import annotations

from tests.stacks import cfn
from tests.stacks.console import Console


def build(c: Console) -> None:
    outputs = cfn.create(c, "fargate_service.yaml", "catalog",
                         Image="ghcr.io/example-org/catalog:2.3.0", Arch="ARM64",
                         WithDatabase="true", ContainerPort="8000", HealthPath="/status",
                         Origins="https://www.example.net,https://admin.example.net")
    cfn.finish(c, outputs, service="web", container="web", port=8000, arch="ARM64")
    # moto's CloudFormation drops AWS::RDS::DBInstance's VPCSecurityGroups (the instance gets
    # a default group) and gives a postgres instance port 3306, which ModifyDBInstance does not
    # change: the template's group is set, and it admits the tasks on the port moto reports.
    groups = c.client("ec2").describe_security_groups(
        Filters=[{"Name": "description", "Values": ["database"]}])["SecurityGroups"]
    database = next(g["GroupId"] for g in groups if g["GroupName"].startswith("catalog-DbGroup"))
    rds = c.client("rds")
    rds.modify_db_instance(DBInstanceIdentifier="catalog-postgres",
                           VpcSecurityGroupIds=[database], ApplyImmediately=True)
    port = rds.describe_db_instances(DBInstanceIdentifier="catalog-postgres")[
        "DBInstances"][0]["Endpoint"]["Port"]
    if port != 5432:
        c.allow(database, port, outputs["TaskGroup"])
