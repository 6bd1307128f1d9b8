"""The reference stack's VPC, laid out as production would be, so doctor's hops pass honestly.

    public subnets (ALB, NAT gateway)  -- route 0.0.0.0/0 -> internet gateway
    task subnets (Fargate, no public IP) -- route 0.0.0.0/0 -> NAT gateway
    DB subnets (RDS)                    -- local routes only

Each tier has its own network ACL admitting only what crosses it, with the ephemeral ports of
the replies (ACLs are stateless): the internet -> ALB on 80/443, ALB -> tasks on the container
port, tasks -> NAT -> AWS on 443, tasks -> DB on 5432.
"""

from __future__ import annotations

from typing import Any

from shipit.defaults import POSTGRES_PORT
from shipit.sandbox.names import CONTAINER_PORT, StackNames
from shipit.sandbox.stack_ids import NetworkIds, TierIds

VPC_CIDR = "10.42.0.0/16"
PUBLIC_CIDRS = ("10.42.101.0/24", "10.42.102.0/24")
TASK_CIDRS = ("10.42.1.0/24", "10.42.2.0/24")
DB_CIDRS = ("10.42.201.0/24", "10.42.202.0/24")
DB_PORT = POSTGRES_PORT
WORLD = "0.0.0.0/0"
EPHEMERAL = (1024, 65535)

# (rule number, egress, (from port, to port), cidr) -- every rule allows tcp.
AclRule = tuple[int, bool, tuple[int, int], str]
PUBLIC_ACL: tuple[AclRule, ...] = (
    (100, False, (80, 80), WORLD),
    (110, False, (443, 443), WORLD),
    (120, False, EPHEMERAL, WORLD),  # replies from the tasks and, through the NAT, from AWS
    (100, True, EPHEMERAL, WORLD),  # replies to browsers; the NAT's replies to the tasks
    (110, True, (CONTAINER_PORT, CONTAINER_PORT), VPC_CIDR),  # ALB -> tasks
    (120, True, (443, 443), WORLD),  # NAT -> AWS APIs
)
TASK_ACL: tuple[AclRule, ...] = (
    (100, False, (CONTAINER_PORT, CONTAINER_PORT), VPC_CIDR),  # from the ALB's nodes
    (110, False, EPHEMERAL, WORLD),  # replies from AWS (via the NAT) and from the database
    (100, True, (443, 443), WORLD),  # to ECR, S3, Logs, Secrets Manager
    (110, True, (DB_PORT, DB_PORT), VPC_CIDR),
    (120, True, EPHEMERAL, VPC_CIDR),  # replies to the ALB
)
DB_ACL: tuple[AclRule, ...] = (
    *((100 + n, False, (DB_PORT, DB_PORT), cidr) for n, cidr in enumerate(TASK_CIDRS)),
    *((100 + n, True, EPHEMERAL, cidr) for n, cidr in enumerate(TASK_CIDRS)),
)


def create_network(ec2: Any, names: StackNames) -> NetworkIds:
    """VPC, three tiers of subnets in two zones, gateways, route tables and ACLs; their ids."""
    vpc = ec2.create_vpc(CidrBlock=VPC_CIDR)["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsSupport={"Value": True})
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)

    def subnets(cidrs: tuple[str, ...]) -> list[str]:
        return [
            ec2.create_subnet(VpcId=vpc, CidrBlock=cidr,
                              AvailabilityZone=f"{names.region}{zone}")["Subnet"]["SubnetId"]
            for cidr, zone in zip(cidrs, "ab", strict=True)
        ]

    public, tasks, db = subnets(PUBLIC_CIDRS), subnets(TASK_CIDRS), subnets(DB_CIDRS)
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=public[0], AllocationId=allocation)["NatGateway"][
        "NatGatewayId"]
    tables: TierIds = {
        "public": _route_table(ec2, vpc, public, {"GatewayId": igw}),
        "tasks": _route_table(ec2, vpc, tasks, {"NatGatewayId": nat}),
        "db": _route_table(ec2, vpc, db, None),
    }
    acls: TierIds = {
        "public": _acl(ec2, vpc, public, PUBLIC_ACL),
        "tasks": _acl(ec2, vpc, tasks, TASK_ACL),
        "db": _acl(ec2, vpc, db, DB_ACL),
    }
    return {
        "vpc_id": vpc, "internet_gateway_id": igw, "nat_gateway_id": nat,
        "public_subnet_ids": public, "task_subnet_ids": tasks, "db_subnet_ids": db,
        "route_tables": tables, "network_acls": acls,
    }


def _route_table(ec2: Any, vpc: str, subnets: list[str], default: dict[str, str] | None) -> str:
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    if default is not None:
        ec2.create_route(RouteTableId=table, DestinationCidrBlock=WORLD, **default)
    for subnet in subnets:
        ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
    return str(table)


def _acl(ec2: Any, vpc: str, subnets: list[str], rules: tuple[AclRule, ...]) -> str:
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    for number, egress, (low, high), cidr in rules:
        ec2.create_network_acl_entry(
            NetworkAclId=acl, RuleNumber=number, Protocol="6", RuleAction="allow",
            Egress=egress, CidrBlock=cidr, PortRange={"From": low, "To": high},
        )
    current = ec2.describe_network_acls(
        Filters=[{"Name": "association.subnet-id", "Values": subnets}])["NetworkAcls"]
    for association in (a for found in current for a in found.get("Associations", [])):
        if association.get("SubnetId") in subnets:
            ec2.replace_network_acl_association(
                AssociationId=association["NetworkAclAssociationId"], NetworkAclId=acl)
    return str(acl)
