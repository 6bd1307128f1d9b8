"""One network fault (or one working alternative layout) per function, on the reference stack.

A fault returns the id of the component doctor must name; a working variant returns nothing.
Every change is what a person would click in the console: a route, an ACL rule, a group rule,
an endpoint, a peering connection.
"""

from __future__ import annotations

import json
from typing import Any

from shipit.sandbox.names import CONTAINER_PORT
from tests.fixtures.reference_stack import ReferenceStack

PEER_CIDR = "10.50.0.0/16"


def _ec2(stack: ReferenceStack) -> Any:
    return stack.client("ec2")


def _deny(stack: ReferenceStack, tier: str, *, egress: bool, ports: tuple[int, int],
          cidr: str, number: int = 90) -> str:
    acl = stack.ids["network_acls"][tier]
    _ec2(stack).create_network_acl_entry(
        NetworkAclId=acl, RuleNumber=number, Protocol="6", RuleAction="deny", Egress=egress,
        CidrBlock=cidr, PortRange={"From": ports[0], "To": ports[1]},
    )
    return f"{acl} rule {number}"


def _own_route_table(stack: ReferenceStack, subnet: str, **default: str) -> str:
    """Give ``subnet`` a route table of its own, with ``default`` as its 0.0.0.0/0 route."""
    ec2 = _ec2(stack)
    table = ec2.create_route_table(VpcId=stack.ids["vpc_id"])["RouteTable"]["RouteTableId"]
    if default:
        ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", **default)
    current = ec2.describe_route_tables(
        Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])["RouteTables"][0]
    association = next(a for a in current["Associations"] if a.get("SubnetId") == subnet)
    ec2.replace_route_table_association(
        AssociationId=association["RouteTableAssociationId"], RouteTableId=table)
    return str(table)


# -- internet -> ALB --------------------------------------------------------------------------


def alb_subnet_not_public(stack: ReferenceStack) -> str:
    """The ALB's second subnet (no NAT in it) loses its route to the internet gateway."""
    return _own_route_table(stack, stack.ids["public_subnet_ids"][1])


def alb_route_to_detached_gateway(stack: ReferenceStack) -> str:
    gateway = _ec2(stack).create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    _own_route_table(stack, stack.ids["public_subnet_ids"][1], GatewayId=gateway)
    return str(gateway)


def public_acl_denies_http(stack: ReferenceStack) -> str:
    return _deny(stack, "public", egress=False, ports=(80, 80), cidr="0.0.0.0/0")


def public_acl_denies_replies(stack: ReferenceStack) -> str:
    """Replies to browsers leave on ephemeral ports; deny them to one range of the internet."""
    return _deny(stack, "public", egress=True, ports=(1024, 65535), cidr="198.51.100.0/24")


def alb_group_closed(stack: ReferenceStack) -> str:
    group = stack.ids["security_groups"]["alb"]
    _ec2(stack).revoke_security_group_ingress(GroupId=group, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
    ])
    return str(group)


def alb_group_office_only(stack: ReferenceStack) -> str:
    group = alb_group_closed(stack)
    _ec2(stack).authorize_security_group_ingress(GroupId=group, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80,
         "IpRanges": [{"CidrIp": "203.0.113.0/24"}]}
    ])
    return group


def listener_fixed_response(stack: ReferenceStack) -> str:
    stack.client("elbv2").modify_listener(
        ListenerArn=stack.ids["listener_arn"], DefaultActions=[{
            "Type": "fixed-response",
            "FixedResponseConfig": {"StatusCode": "503", "ContentType": "text/plain"},
        }],
    )
    return str(stack.ids["listener_arn"])


def listener_deleted(stack: ReferenceStack) -> str:
    stack.client("elbv2").delete_listener(ListenerArn=stack.ids["listener_arn"])
    return str(stack.ids["load_balancer_arn"])


# -- ALB -> task ------------------------------------------------------------------------------


def alb_group_no_egress(stack: ReferenceStack) -> str:
    group = stack.ids["security_groups"]["alb"]
    _ec2(stack).revoke_security_group_egress(GroupId=group, IpPermissions=[
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
    ])
    return str(group)


def task_acl_denies_container_port(stack: ReferenceStack) -> str:
    return _deny(stack, "tasks", egress=False, ports=(CONTAINER_PORT, CONTAINER_PORT),
                 cidr="10.42.0.0/16")


def task_acl_denies_replies_to_alb(stack: ReferenceStack) -> str:
    return _deny(stack, "tasks", egress=True, ports=(1024, 65535), cidr="10.42.102.0/24")


def health_check_other_port(stack: ReferenceStack) -> str:
    stack.client("elbv2").modify_target_group(
        TargetGroupArn=stack.ids["target_group_arn"], HealthCheckPort="9000")
    return str(stack.ids["target_group_arn"])


# -- task -> AWS services ---------------------------------------------------------------------


def task_route_removed(stack: ReferenceStack) -> str:
    table = stack.ids["route_tables"]["tasks"]
    _ec2(stack).delete_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0")
    return str(table)


def nat_deleted(stack: ReferenceStack) -> str:
    nat = stack.ids["nat_gateway_id"]
    _ec2(stack).delete_nat_gateway(NatGatewayId=nat)
    return str(nat)


def task_group_only_database(stack: ReferenceStack) -> str:
    groups = stack.ids["security_groups"]
    ec2 = _ec2(stack)
    ec2.revoke_security_group_egress(GroupId=groups["tasks"], IpPermissions=[
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
    ])
    ec2.authorize_security_group_egress(GroupId=groups["tasks"], IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
         "UserIdGroupPairs": [{"GroupId": groups["db"]}]}
    ])
    return str(groups["tasks"])


def task_acl_denies_https(stack: ReferenceStack) -> str:
    return _deny(stack, "tasks", egress=True, ports=(443, 443), cidr="0.0.0.0/0")


def _public_tasks(stack: ReferenceStack) -> None:
    table = stack.ids["route_tables"]["tasks"]
    _ec2(stack).replace_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0",
                              GatewayId=stack.ids["internet_gateway_id"])


def public_subnet_without_public_ip(stack: ReferenceStack) -> str:
    _public_tasks(stack)
    return str(stack.client("ecs").describe_services(
        cluster=stack.names.cluster, services=[stack.names.service])["services"][0]["serviceArn"])


def public_subnet_with_public_ip(stack: ReferenceStack) -> None:
    _public_tasks(stack)
    stack.client("ecs").update_service(
        cluster=stack.names.cluster, service=stack.names.service,
        networkConfiguration={"awsvpcConfiguration": {
            "subnets": stack.ids["subnet_ids"],
            "securityGroups": [stack.ids["security_groups"]["tasks"]],
            "assignPublicIp": "ENABLED",
        }},
    )


def logs_in_other_region(stack: ReferenceStack) -> str:
    stack.client("iam").put_role_policy(
        RoleName=stack.names.execution_role, PolicyName="logs-anywhere",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}))

    def change(definition: dict[str, Any]) -> None:
        options = definition["containerDefinitions"][0]["logConfiguration"]["options"]
        options["awslogs-region"] = "eu-west-1"

    return stack.new_revision(change) + " awslogs-region"


def _endpoints(stack: ReferenceStack, *, private_dns: bool = True,
               admit_tasks: bool = True) -> str:
    """The NAT's route goes; ECR, Logs and Secrets Manager get interface endpoints in the task
    subnets, S3 a gateway endpoint on their route table."""
    ec2 = _ec2(stack)
    vpc, region = stack.ids["vpc_id"], stack.names.region
    groups = stack.ids["security_groups"]
    table = stack.ids["route_tables"]["tasks"]
    ec2.delete_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0")
    endpoint_group = ec2.create_security_group(
        GroupName="endpoints", Description="HTTPS from the tasks", VpcId=vpc)["GroupId"]
    if admit_tasks:
        ec2.authorize_security_group_ingress(GroupId=endpoint_group, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
             "UserIdGroupPairs": [{"GroupId": groups["tasks"]}]}
        ])
    # The endpoints' ENIs sit in the task subnets: their ACL must admit 443 from the VPC.
    ec2.create_network_acl_entry(
        NetworkAclId=stack.ids["network_acls"]["tasks"], RuleNumber=105, Protocol="6",
        RuleAction="allow", Egress=False, CidrBlock="10.42.0.0/16",
        PortRange={"From": 443, "To": 443},
    )
    first = ""
    for service in ("ecr.api", "ecr.dkr", "logs", "secretsmanager"):
        endpoint = ec2.create_vpc_endpoint(
            VpcId=vpc, ServiceName=f"com.amazonaws.{region}.{service}",
            VpcEndpointType="Interface", SubnetIds=stack.ids["subnet_ids"],
            SecurityGroupIds=[endpoint_group], PrivateDnsEnabled=private_dns,
        )["VpcEndpoint"]["VpcEndpointId"]
        first = first or endpoint
    ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=f"com.amazonaws.{region}.s3",
                            VpcEndpointType="Gateway", RouteTableIds=[table])
    return str(endpoint_group if private_dns else first)


def endpoints_instead_of_nat(stack: ReferenceStack) -> None:
    _endpoints(stack)


def endpoint_private_dns_off(stack: ReferenceStack) -> str:
    return _endpoints(stack, private_dns=False)


def endpoint_group_closed(stack: ReferenceStack) -> str:
    return _endpoints(stack, admit_tasks=False)


# -- task -> database -------------------------------------------------------------------------


def db_acl_denies_postgres(stack: ReferenceStack) -> str:
    return _deny(stack, "db", egress=False, ports=(5432, 5432), cidr="10.42.1.0/24")


def db_acl_no_replies(stack: ReferenceStack) -> str:
    acl = stack.ids["network_acls"]["db"]
    _ec2(stack).delete_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Egress=True)
    return f"{acl} rule *"


def database_url_elsewhere(stack: ReferenceStack) -> str:
    def change(definition: dict[str, Any]) -> None:
        for item in definition["containerDefinitions"][0]["environment"]:
            if item["name"] == "DATABASE_URL":
                item["value"] = "postgresql://articles@old-db.internal:5432/articles"

    return stack.new_revision(change) + " DATABASE_URL"


def database_stopped(stack: ReferenceStack) -> str:
    stack.client("rds").stop_db_instance(DBInstanceIdentifier=stack.names.db_instance)
    return stack.names.db_instance


def _db_rule_by_cidr(stack: ReferenceStack, cidrs: list[str]) -> str:
    groups = stack.ids["security_groups"]
    ec2 = _ec2(stack)
    ec2.revoke_security_group_ingress(GroupId=groups["db"], IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
         "UserIdGroupPairs": [{"GroupId": groups["tasks"]}]}
    ])
    ec2.authorize_security_group_ingress(GroupId=groups["db"], IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
         "IpRanges": [{"CidrIp": cidr} for cidr in cidrs]}
    ])
    return str(groups["db"])


def db_rule_by_task_cidrs(stack: ReferenceStack) -> None:
    _db_rule_by_cidr(stack, ["10.42.1.0/24", "10.42.2.0/24"])


def db_rule_by_wrong_cidr(stack: ReferenceStack) -> str:
    return _db_rule_by_cidr(stack, ["10.42.1.0/24"])


def _database_in_peer_vpc(stack: ReferenceStack, *, peer: bool, accept: bool = True,
                          route_back: bool = True) -> dict[str, str]:
    """Move the database to a second VPC (10.50.0.0/16), optionally peered with routes."""
    ec2, rds = _ec2(stack), stack.client("rds")
    region = stack.names.region
    vpc = ec2.create_vpc(CidrBlock=PEER_CIDR)["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.50.{n}.0/24",
                                 AvailabilityZone=f"{region}{zone}")["Subnet"]["SubnetId"]
               for n, zone in ((1, "a"), (2, "b"))]
    group = ec2.create_security_group(GroupName="peer-db", Description="db", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
         "UserIdGroupPairs": [{"GroupId": stack.ids["security_groups"]["tasks"]}]}
    ])
    rds.delete_db_instance(DBInstanceIdentifier=stack.names.db_instance, SkipFinalSnapshot=True)
    rds.create_db_subnet_group(DBSubnetGroupName="peer", DBSubnetGroupDescription="peer",
                               SubnetIds=subnets)
    rds.create_db_instance(
        DBInstanceIdentifier=stack.names.db_instance, Engine="postgres",
        DBInstanceClass="db.t4g.micro", AllocatedStorage=20, MasterUsername="articles",
        MasterUserPassword="sandbox-password", DBSubnetGroupName="peer",
        VpcSecurityGroupIds=[group], PubliclyAccessible=False,
    )
    # The tasks' ACL admits 5432 only inside their VPC: open it to the peer, as one would.
    ec2.create_network_acl_entry(
        NetworkAclId=stack.ids["network_acls"]["tasks"], RuleNumber=115, Protocol="6",
        RuleAction="allow", Egress=True, CidrBlock=PEER_CIDR, PortRange={"From": 5432, "To": 5432},
    )
    found: dict[str, str] = {"vpc": vpc}
    peer_table = ec2.describe_route_tables(Filters=[
        {"Name": "vpc-id", "Values": [vpc]}, {"Name": "association.main", "Values": ["true"]}
    ])["RouteTables"][0]["RouteTableId"]
    found["peer_table"] = peer_table
    if not peer:
        return found
    pcx = ec2.create_vpc_peering_connection(
        VpcId=stack.ids["vpc_id"], PeerVpcId=vpc)["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    found["pcx"] = pcx
    if accept:
        ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    ec2.create_route(RouteTableId=stack.ids["route_tables"]["tasks"],
                     DestinationCidrBlock=PEER_CIDR, VpcPeeringConnectionId=pcx)
    if route_back:
        ec2.create_route(RouteTableId=peer_table, DestinationCidrBlock="10.42.0.0/16",
                         VpcPeeringConnectionId=pcx)
    return found


def peered_database(stack: ReferenceStack) -> None:
    _database_in_peer_vpc(stack, peer=True)


def database_in_other_vpc(stack: ReferenceStack) -> str:
    _database_in_peer_vpc(stack, peer=False)
    return str(stack.ids["route_tables"]["tasks"])


def peering_without_route_back(stack: ReferenceStack) -> str:
    return _database_in_peer_vpc(stack, peer=True, route_back=False)["peer_table"]


def peering_not_accepted(stack: ReferenceStack) -> str:
    return _database_in_peer_vpc(stack, peer=True, accept=False)["pcx"]
