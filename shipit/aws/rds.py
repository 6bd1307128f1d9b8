"""Typed reads of RDS: the database instance shipit's service connects to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from shipit.aws.errors import translate
from shipit.defaults import POSTGRES_PORT

if TYPE_CHECKING:
    from mypy_boto3_rds import RDSClient

    from shipit.aws.session import AwsSession


@dataclass(frozen=True)
class Database:
    identifier: str
    engine: str
    address: str
    port: int
    publicly_accessible: bool
    vpc_id: str
    security_groups: tuple[str, ...]
    subnets: tuple[str, ...] = ()
    """The DB subnet group's subnets: the instance may sit in any of them."""
    status: str = "available"


def describe_database(aws: AwsSession, identifier: str) -> Database:
    rds: RDSClient = aws.client("rds")
    try:
        db = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    except Exception as exc:
        raise translate(exc, operation="rds:DescribeDBInstances", resource=identifier) from None
    endpoint = db.get("Endpoint", {})
    group = db.get("DBSubnetGroup", {})
    return Database(
        identifier=db["DBInstanceIdentifier"],
        engine=db.get("Engine", ""),
        address=endpoint.get("Address", ""),
        port=endpoint.get("Port", POSTGRES_PORT),
        publicly_accessible=bool(db.get("PubliclyAccessible")),
        vpc_id=group.get("VpcId", ""),
        security_groups=tuple(
            g["VpcSecurityGroupId"] for g in db.get("VpcSecurityGroups", [])
            if "VpcSecurityGroupId" in g
        ),
        subnets=tuple(s["SubnetIdentifier"] for s in group.get("Subnets", [])
                      if "SubnetIdentifier" in s),
        status=db.get("DBInstanceStatus", "available"),
    )
