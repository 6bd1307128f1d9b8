"""Typed reads of a VPC's network: security groups, subnets, route tables, network ACLs,
VPC endpoints, peering connections, NAT and internet gateways.

``read_network`` reads everything that can block a packet in the given VPCs, concurrently, so
doctor can follow each hop without another call. ``ClientError`` becomes a shipit error here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from shipit.aws.errors import translate

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_ec2.type_defs import FilterTypeDef, IpPermissionOutputTypeDef

    from shipit.aws.session import AwsSession

T = TypeVar("T")


@dataclass(frozen=True)
class Rule:
    """One security-group permission, flattened: a single source or destination."""

    protocol: str
    from_port: int
    to_port: int
    cidr: str | None = None
    group_id: str | None = None
    prefix_list_id: str | None = None

    def covers_port(self, port: int) -> bool:
        if self.protocol in ("-1", "all"):
            return True
        return self.protocol in ("tcp", "6") and self.from_port <= port <= self.to_port


@dataclass(frozen=True)
class SecurityGroup:
    id: str
    name: str
    vpc_id: str
    ingress: tuple[Rule, ...] = ()
    egress: tuple[Rule, ...] = ()


@dataclass(frozen=True)
class Subnet:
    id: str
    vpc_id: str
    cidr: str
    zone: str = ""
    map_public_ip: bool = False


@dataclass(frozen=True)
class Route:
    destination: str
    """A CIDR, or a prefix-list id (pl-...) for gateway endpoints."""
    target: str
    """local, igw-..., nat-..., vpce-..., pcx-..., tgw-..., eni-..., or what AWS names."""
    state: str = "active"


@dataclass(frozen=True)
class RouteTable:
    id: str
    vpc_id: str
    subnet_ids: tuple[str, ...]
    main: bool
    routes: tuple[Route, ...]


@dataclass(frozen=True)
class AclEntry:
    number: int
    egress: bool
    protocol: str
    """"-1" (all), "6" (tcp), "17" (udp) ..."""
    from_port: int
    to_port: int
    cidr: str
    allow: bool


@dataclass(frozen=True)
class NetworkAcl:
    id: str
    vpc_id: str
    subnet_ids: tuple[str, ...]
    entries: tuple[AclEntry, ...]
    default: bool = False


@dataclass(frozen=True)
class Endpoint:
    id: str
    vpc_id: str
    service: str
    """com.amazonaws.REGION.ecr.api, ...dkr, ...s3, ...logs, ...secretsmanager, ...ssm"""
    type: str
    """Interface or Gateway"""
    state: str
    subnet_ids: tuple[str, ...] = ()
    route_table_ids: tuple[str, ...] = ()
    security_groups: tuple[str, ...] = ()
    private_dns: bool = False


@dataclass(frozen=True)
class Peering:
    id: str
    status: str
    requester_vpc: str
    requester_cidr: str
    accepter_vpc: str
    accepter_cidr: str


@dataclass(frozen=True)
class NatGateway:
    id: str
    vpc_id: str
    subnet_id: str
    state: str
    public: bool = True


@dataclass(frozen=True)
class InternetGateway:
    id: str
    vpc_ids: tuple[str, ...]


@dataclass(frozen=True)
class Network:
    """Everything in the read VPCs that routes or filters a packet."""

    vpc_ids: tuple[str, ...]
    subnets: tuple[Subnet, ...] = ()
    route_tables: tuple[RouteTable, ...] = ()
    acls: tuple[NetworkAcl, ...] = ()
    endpoints: tuple[Endpoint, ...] = ()
    peerings: tuple[Peering, ...] = ()
    nat_gateways: tuple[NatGateway, ...] = ()
    internet_gateways: tuple[InternetGateway, ...] = ()
    prefix_lists: tuple[tuple[str, str], ...] = ()
    """(pl-id, name) pairs, e.g. ("pl-63a5400a", "com.amazonaws.us-east-1.s3")."""


def _call(operation: str, fn: Callable[[], T], resource: str | None = None) -> T:
    try:
        return fn()
    except Exception as exc:
        raise translate(exc, operation=operation, resource=resource) from None


def _rules(permissions: Iterable[IpPermissionOutputTypeDef]) -> tuple[Rule, ...]:
    rules: list[Rule] = []
    for perm in permissions:
        protocol = perm.get("IpProtocol", "-1")
        low, high = perm.get("FromPort", 0), perm.get("ToPort", 65535)
        if protocol == "-1":
            low, high = 0, 65535
        rules += [Rule(protocol, low, high, cidr=r["CidrIp"]) for r in perm.get("IpRanges", [])
                  if "CidrIp" in r]
        rules += [Rule(protocol, low, high, cidr=r["CidrIpv6"])
                  for r in perm.get("Ipv6Ranges", []) if "CidrIpv6" in r]
        rules += [Rule(protocol, low, high, group_id=p["GroupId"])
                  for p in perm.get("UserIdGroupPairs", []) if "GroupId" in p]
        rules += [Rule(protocol, low, high, prefix_list_id=p["PrefixListId"])
                  for p in perm.get("PrefixListIds", []) if "PrefixListId" in p]
    return tuple(rules)


def security_groups(aws: AwsSession, ids: list[str]) -> dict[str, SecurityGroup]:
    ec2: EC2Client = aws.client("ec2")
    answer = _call("ec2:DescribeSecurityGroups",
                   lambda: ec2.describe_security_groups(GroupIds=ids)["SecurityGroups"])
    return {
        group["GroupId"]: SecurityGroup(
            id=group["GroupId"],
            name=group.get("GroupName", ""),
            vpc_id=group.get("VpcId", ""),
            ingress=_rules(group.get("IpPermissions", [])),
            egress=_rules(group.get("IpPermissionsEgress", [])),
        )
        for group in answer
    }


def subnet_vpcs(aws: AwsSession, subnets: list[str]) -> dict[str, str]:
    """subnet id -> its VPC id."""
    ec2: EC2Client = aws.client("ec2")
    answer = _call("ec2:DescribeSubnets",
                   lambda: ec2.describe_subnets(SubnetIds=subnets)["Subnets"])
    return {s["SubnetId"]: s["VpcId"] for s in answer if "SubnetId" in s and "VpcId" in s}


def _vpc_filter(name: str, vpc_ids: Iterable[str]) -> list[FilterTypeDef]:
    return [{"Name": name, "Values": list(vpc_ids)}]


def _subnets(ec2: EC2Client, vpcs: list[str]) -> tuple[Subnet, ...]:
    answer = ec2.describe_subnets(Filters=_vpc_filter("vpc-id", vpcs))["Subnets"]
    return tuple(
        Subnet(s.get("SubnetId", ""), s.get("VpcId", ""), s.get("CidrBlock", ""),
               s.get("AvailabilityZone", ""), bool(s.get("MapPublicIpOnLaunch")))
        for s in answer
    )


def _route_target(raw: Any) -> str:
    for key in ("GatewayId", "NatGatewayId", "VpcPeeringConnectionId", "TransitGatewayId",
                "NetworkInterfaceId", "InstanceId", "EgressOnlyInternetGatewayId",
                "LocalGatewayId", "CarrierGatewayId", "CoreNetworkArn"):
        if raw.get(key):
            return str(raw[key])
    return "unknown"


def _route_tables(ec2: EC2Client, vpcs: list[str]) -> tuple[RouteTable, ...]:
    answer = ec2.describe_route_tables(Filters=_vpc_filter("vpc-id", vpcs))["RouteTables"]
    tables: list[RouteTable] = []
    for table in answer:
        associations = table.get("Associations", [])
        routes = tuple(
            Route(
                r.get("DestinationCidrBlock") or r.get("DestinationIpv6CidrBlock")
                or r.get("DestinationPrefixListId") or "",
                _route_target(r), r.get("State", "active"),
            )
            for r in table.get("Routes", [])
        )
        tables.append(RouteTable(
            id=table.get("RouteTableId", ""), vpc_id=table.get("VpcId", ""),
            subnet_ids=tuple(a["SubnetId"] for a in associations if a.get("SubnetId")),
            main=any(a.get("Main") for a in associations), routes=routes,
        ))
    return tuple(tables)


def _acls(ec2: EC2Client, vpcs: list[str]) -> tuple[NetworkAcl, ...]:
    answer = ec2.describe_network_acls(Filters=_vpc_filter("vpc-id", vpcs))["NetworkAcls"]
    acls: list[NetworkAcl] = []
    for acl in answer:
        entries = []
        for e in acl.get("Entries", []):
            ports = e.get("PortRange") or {}
            protocol = str(e.get("Protocol", "-1"))
            low, high = (0, 65535) if protocol == "-1" else (
                ports.get("From", 0), ports.get("To", 65535))
            entries.append(AclEntry(
                number=e.get("RuleNumber", 32767), egress=bool(e.get("Egress")),
                protocol=protocol, from_port=low, to_port=high,
                cidr=e.get("CidrBlock") or e.get("Ipv6CidrBlock") or "0.0.0.0/0",
                allow=e.get("RuleAction") == "allow",
            ))
        acls.append(NetworkAcl(
            id=acl.get("NetworkAclId", ""), vpc_id=acl.get("VpcId", ""),
            subnet_ids=tuple(a["SubnetId"] for a in acl.get("Associations", [])
                             if a.get("SubnetId")),
            entries=tuple(sorted(entries, key=lambda entry: entry.number)),
            default=bool(acl.get("IsDefault")),
        ))
    return tuple(acls)


def _endpoints(ec2: EC2Client, vpcs: list[str]) -> tuple[Endpoint, ...]:
    answer = ec2.describe_vpc_endpoints(Filters=_vpc_filter("vpc-id", vpcs))["VpcEndpoints"]
    return tuple(
        Endpoint(
            id=e.get("VpcEndpointId", ""), vpc_id=e.get("VpcId", ""),
            service=e.get("ServiceName", ""), type=str(e.get("VpcEndpointType", "")),
            state=str(e.get("State", "")).lower(), subnet_ids=tuple(e.get("SubnetIds", [])),
            route_table_ids=tuple(e.get("RouteTableIds", [])),
            security_groups=tuple(g["GroupId"] for g in e.get("Groups", []) if "GroupId" in g),
            private_dns=bool(e.get("PrivateDnsEnabled")),
        )
        for e in answer
    )


def _peerings(ec2: EC2Client, vpcs: list[str]) -> tuple[Peering, ...]:
    found: dict[str, Peering] = {}
    for side in ("requester-vpc-info.vpc-id", "accepter-vpc-info.vpc-id"):
        answer = ec2.describe_vpc_peering_connections(Filters=_vpc_filter(side, vpcs))
        for p in answer["VpcPeeringConnections"]:
            requester, accepter = p.get("RequesterVpcInfo", {}), p.get("AccepterVpcInfo", {})
            found[p.get("VpcPeeringConnectionId", "")] = Peering(
                id=p.get("VpcPeeringConnectionId", ""),
                status=str(p.get("Status", {}).get("Code", "")),
                requester_vpc=requester.get("VpcId", ""),
                requester_cidr=requester.get("CidrBlock", ""),
                accepter_vpc=accepter.get("VpcId", ""), accepter_cidr=accepter.get("CidrBlock", ""),
            )
    return tuple(found.values())


def _nat_gateways(ec2: EC2Client, vpcs: list[str]) -> tuple[NatGateway, ...]:
    answer = ec2.describe_nat_gateways(Filters=_vpc_filter("vpc-id", vpcs))["NatGateways"]
    return tuple(
        NatGateway(n.get("NatGatewayId", ""), n.get("VpcId", ""), n.get("SubnetId", ""),
                   str(n.get("State", "")), n.get("ConnectivityType", "public") == "public")
        for n in answer
    )


def _internet_gateways(ec2: EC2Client, vpcs: list[str]) -> tuple[InternetGateway, ...]:
    answer = ec2.describe_internet_gateways(
        Filters=_vpc_filter("attachment.vpc-id", vpcs))["InternetGateways"]
    return tuple(
        InternetGateway(
            g.get("InternetGatewayId", ""),
            tuple(a["VpcId"] for a in g.get("Attachments", [])
                  if a.get("VpcId") and a.get("State") in ("available", "attached")),
        )
        for g in answer
    )


def _prefix_lists(ec2: EC2Client, vpcs: list[str]) -> tuple[tuple[str, str], ...]:
    answer = ec2.describe_prefix_lists()["PrefixLists"]
    return tuple((p["PrefixListId"], p["PrefixListName"]) for p in answer
                 if "PrefixListId" in p and "PrefixListName" in p)


_READS: dict[str, tuple[str, Callable[[EC2Client, list[str]], Any]]] = {
    "subnets": ("ec2:DescribeSubnets", _subnets),
    "route_tables": ("ec2:DescribeRouteTables", _route_tables),
    "acls": ("ec2:DescribeNetworkAcls", _acls),
    "endpoints": ("ec2:DescribeVpcEndpoints", _endpoints),
    "peerings": ("ec2:DescribeVpcPeeringConnections", _peerings),
    "nat_gateways": ("ec2:DescribeNatGateways", _nat_gateways),
    "internet_gateways": ("ec2:DescribeInternetGateways", _internet_gateways),
    "prefix_lists": ("ec2:DescribePrefixLists", _prefix_lists),
}


def read_network(aws: AwsSession, vpc_ids: Iterable[str]) -> Network:
    """Every routing and filtering component of ``vpc_ids``, read concurrently."""
    vpcs = sorted(set(vpc_ids))
    ec2: EC2Client = aws.client("ec2")

    def read(name: str) -> Any:
        operation, fn = _READS[name]
        return _call(operation, lambda: fn(ec2, vpcs), ",".join(vpcs))

    with ThreadPoolExecutor(max_workers=len(_READS), thread_name_prefix="ec2") as pool:
        futures = {name: pool.submit(read, name) for name in _READS}
        parts = {name: future.result() for name, future in futures.items()}
    return Network(vpc_ids=tuple(vpcs), **parts)
