"""Security groups (rules referencing each other: internet -> ALB -> tasks -> database) and the
network: parameters by default, VPC/subnets/gateways/route tables/ACLs with --include-network."""

from __future__ import annotations

from shipit.aws.ec2 import RouteTable, Subnet
from shipit.aws.stack_reads import GroupRule
from shipit.export.context import Build
from shipit.export.model import Json, Parameter, Resource, get_att, logical, ref

WORLD = "0.0.0.0/0"


def security_groups(build: Build) -> None:
    snap = build.snapshot
    roles: list[tuple[str, tuple[str, ...]]] = [
        ("Alb", snap.load_balancer.security_groups if snap.load_balancer else ()),
        ("Task", snap.service.security_groups),
        ("Database", snap.database.security_groups if snap.database else ()),
    ]
    for role, ids in roles:
        for group_id in ids:
            group = snap.security_groups.get(group_id)
            if group_id in build.groups or group is None:
                continue
            if group.name == "default":
                build.template.unsupported_shape(
                    f"the VPC's default security group {group_id}", f"{role.lower()} groups",
                    "CloudFormation cannot own a VPC's default group: referenced by id")
                continue
            build.groups[group_id] = build.template.add(f"{role}SecurityGroup", Resource(
                "AWS::EC2::SecurityGroup",
                {"GroupName": group.name,
                 "GroupDescription": snap.group_descriptions.get(group_id) or group.name,
                 "VpcId": build.vpc_ref()},
                build.source(group_id, f"ec2:DescribeSecurityGroups {group_id}"),
                identifier={"Id": group_id}))
    for rule in sorted(snap.group_rules, key=lambda r: (r.group_id, r.egress, r.from_port,
                                                          r.peer)):
        _rule(build, rule)


def _rule(build: Build, rule: GroupRule) -> None:
    owner = build.groups.get(rule.group_id)
    if owner is None:
        return
    if rule.egress and rule.protocol == "-1" and rule.peer == WORLD:
        return  # every new group's default egress rule: CloudFormation makes it
    group_ref = build.groups.get(rule.peer)
    props: dict[str, Json] = {"IpProtocol": rule.protocol}
    if rule.protocol != "-1":
        props |= {"FromPort": rule.from_port, "ToPort": rule.to_port}
    direction = "Egress" if rule.egress else "Ingress"
    if rule.peer.startswith("sg-"):
        key = "DestinationSecurityGroupId" if rule.egress else "SourceSecurityGroupId"
        if group_ref:
            props[key] = get_att(group_ref, "GroupId")
        else:  # a group outside the stack (a bastion's): its id, as a parameter
            props[key] = build.template.parameter(logical("PeerGroup", rule.peer), Parameter(
                "AWS::EC2::SecurityGroup::Id", f"A security group outside the stack that"
                f" {rule.group_id}'s rule {rule.id} names (the stack's: {rule.peer})", rule.peer))
        peer_name = (group_ref or "PeerGroup").removesuffix("SecurityGroup")
    elif rule.peer.startswith("pl-"):
        props["DestinationPrefixListId" if rule.egress else "SourcePrefixListId"] = rule.peer
        peer_name = "PrefixList"
    else:
        props["CidrIpv6" if ":" in rule.peer else "CidrIp"] = rule.peer
        peer_name = "Anywhere" if rule.peer in (WORLD, "::/0") else "Cidr"
    ports = "All" if rule.protocol == "-1" else str(rule.from_port)
    toward = "To" if rule.egress else "From"
    props["Description"] = rule.description or (
        f"{rule.protocol if rule.protocol != '-1' else 'all'} {ports.lower()}"
        f" {toward.lower()} {peer_name}")
    props = {"GroupId": get_att(owner, "GroupId"), **props}
    build.template.add(f"{owner}{direction}{toward}{peer_name}{ports}", Resource(
        f"AWS::EC2::SecurityGroup{direction}", props,
        f"ec2:DescribeSecurityGroupRules {rule.group_id} {rule.id}",
        identifier={"Id": rule.id}))


def network(build: Build) -> None:
    """VpcId and subnet lists: parameters defaulting to the live ids, or resources."""
    snap = build.snapshot
    roles = {
        "alb": snap.load_balancer.subnets if snap.load_balancer else (),
        "tasks": snap.service.subnets,
        "database": snap.database.subnets if snap.database else (),
    }
    titles = {"alb": "AlbSubnetIds", "tasks": "TaskSubnetIds", "database": "DatabaseSubnetIds"}
    if not build.options.include_network or snap.network is None:
        build.vpc = build.template.parameter("VpcId", Parameter(
            "AWS::EC2::VPC::Id", f"The VPC (the stack's: {snap.vpc.id}, {snap.vpc.cidr})",
            snap.vpc.id))
        for role, ids in roles.items():
            if ids:
                build.subnet_lists[role] = build.template.parameter(titles[role], Parameter(
                    "List<AWS::EC2::Subnet::Id>", f"Subnets of the {role} (the stack's)",
                    ",".join(ids)))
        return
    _vpc_resources(build, roles)


def _vpc_resources(build: Build, roles: dict[str, tuple[str, ...]]) -> None:
    snap, template = build.snapshot, build.template
    net = snap.network
    assert net is not None
    vpc = template.add("Vpc", Resource("AWS::EC2::VPC", {
        "CidrBlock": snap.vpc.cidr, "EnableDnsSupport": snap.vpc.dns_support,
        "EnableDnsHostnames": snap.vpc.dns_hostnames},
        build.source(snap.vpc.id, f"ec2:DescribeVpcs {snap.vpc.id}"),
        identifier={"VpcId": snap.vpc.id}))
    build.vpc = ref(vpc)
    zones = sorted({s.zone for s in net.subnets})
    role_names = {"alb": "Public", "tasks": "Task", "database": "Database"}
    for subnet in sorted(net.subnets, key=lambda s: (s.zone, s.cidr)):
        role = next((r for r, ids in roles.items() if subnet.id in ids), None)
        build.subnets[subnet.id] = template.add(
            f"{role_names.get(role or '', '')}Subnet{subnet.zone[-1:].upper()}",
            _subnet(build, subnet, zones))
    for role, ids in roles.items():
        if ids:
            build.subnet_lists[role] = [ref(build.subnets[i]) for i in ids if i in build.subnets]
    gateways: dict[str, str] = {}
    attachment = None
    for igw in net.internet_gateways:
        gateways[igw.id] = template.add("InternetGateway", Resource(
            "AWS::EC2::InternetGateway", {}, f"ec2:DescribeInternetGateways {igw.id}",
            identifier={"InternetGatewayId": igw.id}))
        attachment = template.add("InternetGatewayAttachment", Resource(
            "AWS::EC2::VPCGatewayAttachment",
            {"VpcId": ref(vpc), "InternetGatewayId": ref(gateways[igw.id])},
            f"ec2:DescribeInternetGateways {igw.id} (attached to {snap.vpc.id})"))
    for nat in net.nat_gateways:
        if nat.subnet_id not in build.subnets or not nat.public:
            template.unsupported_shape(f"NAT gateway {nat.id}", nat.subnet_id,
                                       "private NAT gateways or NATs outside the VPC's subnets")
            continue
        eip = template.add("NatAddress", Resource(
            "AWS::EC2::EIP", {"Domain": "vpc"}, f"the Elastic IP of {nat.id}",
            depends_on=[attachment] if attachment else []))
        gateways[nat.id] = template.add("NatGateway", Resource("AWS::EC2::NatGateway", {
            "SubnetId": ref(build.subnets[nat.subnet_id]),
            "AllocationId": get_att(eip, "AllocationId")},
            f"ec2:DescribeNatGateways {nat.id}", identifier={"NatGatewayId": nat.id}))
    for table in net.route_tables:
        _route_table(build, table, gateways, attachment)
    _acls(build)
    for endpoint in net.endpoints:
        template.unsupported_shape(f"VPC endpoint {endpoint.id} ({endpoint.service})",
                                   snap.vpc.id, "endpoints are not written: create them again"
                                   " (or add AWS::EC2::VPCEndpoint) in the new VPC")
    for peering in net.peerings:
        template.unsupported_shape(f"VPC peering {peering.id}", snap.vpc.id,
                                   "a peering joins two VPCs: the other side is not this stack")


def _subnet(build: Build, subnet: Subnet, zones: list[str]) -> Resource:
    zone: Json = {"Fn::Select": [zones.index(subnet.zone), {"Fn::GetAZs": ""}]}
    return Resource("AWS::EC2::Subnet", {
        "VpcId": build.vpc_ref(), "CidrBlock": subnet.cidr, "AvailabilityZone": zone,
        "MapPublicIpOnLaunch": subnet.map_public_ip},
        f"ec2:DescribeSubnets {subnet.id} ({subnet.zone}; the template picks the region's"
        f" zone #{zones.index(subnet.zone) + 1})", identifier={"SubnetId": subnet.id})


def _route_table(build: Build, table: RouteTable, gateways: dict[str, str],
                 attachment: str | None) -> None:
    template = build.template
    routes = [r for r in table.routes if r.target != "local"]
    if table.main:
        for route in routes:
            template.unsupported_shape(
                f"route {route.destination} -> {route.target} of the main route table",
                table.id, "CloudFormation cannot address a VPC's main route table; give the"
                " subnets a route table of their own")
        return
    name = template.add("RouteTable", Resource("AWS::EC2::RouteTable", {"VpcId": build.vpc_ref()},
                                               f"ec2:DescribeRouteTables {table.id}",
                                               identifier={"RouteTableId": table.id}))
    for route in routes:
        target = gateways.get(route.target)
        if target is None or route.destination.startswith("pl-"):
            kind = {"tgw": "transit gateway", "pcx": "peering", "eni": "network interface",
                    "vpce": "VPC endpoint"}.get(route.target.split("-", 1)[0], "other")
            template.unsupported_shape(f"{kind} route {route.destination} -> {route.target}",
                                       table.id, "its target is not part of this template")
            continue
        key = "NatGatewayId" if route.target.startswith("nat-") else "GatewayId"
        template.add(f"{name}Route", Resource("AWS::EC2::Route", {
            "RouteTableId": ref(name), "DestinationCidrBlock": route.destination,
            key: ref(target)}, f"ec2:DescribeRouteTables {table.id}: {route.destination}"
            f" -> {route.target}", depends_on=[attachment] if attachment and
            key == "GatewayId" else []))
    for subnet in table.subnet_ids:
        if subnet in build.subnets:
            template.add(f"{build.subnets[subnet]}RouteTableAssociation", Resource(
                "AWS::EC2::SubnetRouteTableAssociation",
                {"SubnetId": ref(build.subnets[subnet]), "RouteTableId": ref(name)},
                f"ec2:DescribeRouteTables {table.id}: associated with {subnet}"))


def _acls(build: Build) -> None:
    net = build.snapshot.network
    assert net is not None
    for acl in net.acls:
        if acl.default:
            custom = [e for e in acl.entries if e.number != 32767 and not (
                e.number == 100 and e.allow and e.protocol == "-1")]
            if custom:
                build.template.unsupported_shape(f"custom entries of the default ACL {acl.id}",
                                                 acl.vpc_id, "CloudFormation cannot own a VPC's"
                                                 " default network ACL")
            continue
        name = build.template.add("NetworkAcl", Resource(
            "AWS::EC2::NetworkAcl", {"VpcId": build.vpc_ref()},
            f"ec2:DescribeNetworkAcls {acl.id}", identifier={"Id": acl.id}))
        for entry in acl.entries:
            if entry.number == 32767:
                continue  # the implicit deny every ACL ends with
            props: dict[str, Json] = {
                "NetworkAclId": ref(name), "RuleNumber": entry.number,
                "Protocol": int(entry.protocol), "RuleAction": "allow" if entry.allow else "deny",
                "Egress": entry.egress, "CidrBlock": entry.cidr}
            if entry.protocol not in ("-1",):
                props["PortRange"] = {"From": entry.from_port, "To": entry.to_port}
            build.template.add(f"{name}{'Egress' if entry.egress else 'Ingress'}{entry.number}",
                               Resource("AWS::EC2::NetworkAclEntry", props,
                                        f"ec2:DescribeNetworkAcls {acl.id} rule {entry.number}"))
        for subnet in acl.subnet_ids:
            if subnet in build.subnets:
                build.template.add(f"{build.subnets[subnet]}NetworkAclAssociation", Resource(
                    "AWS::EC2::SubnetNetworkAclAssociation",
                    {"SubnetId": ref(build.subnets[subnet]), "NetworkAclId": ref(name)},
                    f"ec2:DescribeNetworkAcls {acl.id}: associated with {subnet}"))


