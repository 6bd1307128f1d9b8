"""What moto 5.2.5's CloudFormation does not hold of an exported template, applied through the
API from the template itself (its own values, references resolved to what the stack made):

- AWS::ECS::TaskDefinition keeps only Family, ContainerDefinitions, Volumes and Memory: the
  execution/task roles, network mode, CPU, compatibilities and runtime platform are dropped;
- AWS::ECS::Service keeps only cluster, task definition and desired count: NetworkConfiguration,
  LoadBalancers, DeploymentConfiguration and HealthCheckGracePeriodSeconds are dropped;
- AWS::EC2::SubnetRouteTableAssociation is recorded where DescribeRouteTables does not show it;
- AWS::EC2::NetworkAcl, NetworkAclEntry and SubnetNetworkAclAssociation are not implemented;
- AWS::S3::BucketPolicy is not implemented (the website bucket's public-read policy: doctor
  does not judge it; the sandbox's test names it);
- AWS::RDS::DBInstance drops VPCSecurityGroups (the instance gets the VPC's default group);
- AWS::IAM::Role stores its inline Policies as a Python repr, which GetRolePolicy cannot return
  as JSON: put again with PutRolePolicy.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import yaml

from tests.export.rebuild import NEW_ACCOUNT, Account

NOT_IMPLEMENTED = frozenset({"AWS::EC2::NetworkAcl", "AWS::EC2::NetworkAclEntry",
                             "AWS::EC2::SubnetNetworkAclAssociation", "AWS::S3::BucketPolicy"})
"""Types moto's CloudFormation skips (the stack completes without them)."""


class Resolver:
    def __init__(self, account: Account, stack: str, parameters: Mapping[str, str]) -> None:
        cfn = account.client("cloudformation")
        self.physical = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in
                         cfn.list_stack_resources(StackName=stack)["StackResourceSummaries"]}
        self.account, self.parameters = account, parameters
        self.made: dict[str, str] = {}
        """logical id -> id of what this module made (the ACLs)."""

    def __call__(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self(v) for v in value]
        if not isinstance(value, dict):
            return value
        if "Ref" in value:
            name = value["Ref"]
            if name == "AWS::Region":
                return self.account.region
            if name in self.parameters:
                found = self.parameters[name]
                return found.split(",") if "," in found else found
            return self.made.get(name) or self.physical[name]
        if "Fn::GetAtt" in value:
            name, attribute = value["Fn::GetAtt"]
            if attribute == "Endpoint.Address":
                rds = self.account.client("rds")
                return rds.describe_db_instances(DBInstanceIdentifier=self.physical[name])[
                    "DBInstances"][0]["Endpoint"]["Address"]
            if attribute == "Arn" and not self.physical[name].startswith("arn:"):
                iam = self.account.client("iam")
                return iam.get_role(RoleName=self.physical[name])["Role"]["Arn"]
            return self.physical[name]
        if "Fn::Sub" in value:
            text, variables = (value["Fn::Sub"] if isinstance(value["Fn::Sub"], list)
                               else (value["Fn::Sub"], {}))
            names = {"AWS::Partition": "aws", "AWS::Region": self.account.region,
                     "AWS::AccountId": NEW_ACCOUNT, **self.parameters, **self.physical,
                     **{k: str(v) for k, v in self(variables).items()}}
            return re.sub(r"\$\{([A-Za-z0-9:]+)\}", lambda m: names[m[1]], text)
        return {k: self(v) for k, v in value.items()}


def camel(value: Any) -> Any:
    if isinstance(value, dict):
        return {k[:1].lower() + k[1:]: camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [camel(v) for v in value]
    return value


def apply(account: Account, text: str, parameters: Mapping[str, str]) -> list[str]:
    """Apply every gap named above; returns what was applied (for the test's message)."""
    template = yaml.safe_load(text)
    resources: dict[str, Any] = template["Resources"]
    defaults = {name: str(spec["Default"]) for name, spec in
                template.get("Parameters", {}).items() if "Default" in spec}
    resolve = Resolver(account, "rebuilt", {**defaults, **parameters})
    ec2, ecs = account.client("ec2"), account.client("ecs")
    applied: list[str] = []
    for name, resource in resources.items():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::EC2::SubnetRouteTableAssociation":
            ec2.associate_route_table(RouteTableId=resolve(props["RouteTableId"]),
                                      SubnetId=resolve(props["SubnetId"]))
            applied.append(name)
        elif resource["Type"] == "AWS::EC2::NetworkAcl":
            resolve.made[name] = ec2.create_network_acl(VpcId=resolve(props["VpcId"]))[
                "NetworkAcl"]["NetworkAclId"]
            applied.append(name)
    for name, resource in resources.items():
        props = resolve(resource.get("Properties", {}))
        if resource["Type"] == "AWS::EC2::NetworkAclEntry":
            ec2.create_network_acl_entry(**{k: v for k, v in props.items()
                                            if k != "Protocol"}, Protocol=str(props["Protocol"]))
            applied.append(name)
        elif resource["Type"] == "AWS::EC2::SubnetNetworkAclAssociation":
            current = ec2.describe_network_acls(Filters=[
                {"Name": "association.subnet-id", "Values": [props["SubnetId"]]}])["NetworkAcls"]
            association = next(a for acl in current for a in acl["Associations"]
                               if a["SubnetId"] == props["SubnetId"])
            ec2.replace_network_acl_association(
                AssociationId=association["NetworkAclAssociationId"],
                NetworkAclId=props["NetworkAclId"])
            applied.append(name)
        elif resource["Type"] == "AWS::RDS::DBInstance":
            account.client("rds").modify_db_instance(
                DBInstanceIdentifier=props["DBInstanceIdentifier"],
                VpcSecurityGroupIds=props["VPCSecurityGroups"], ApplyImmediately=True)
            applied.append(f"{name} (VPCSecurityGroups)")
        elif resource["Type"] == "AWS::IAM::Role":
            for policy in props.get("Policies", []):
                account.client("iam").put_role_policy(
                    RoleName=props["RoleName"], PolicyName=policy["PolicyName"],
                    PolicyDocument=json.dumps(policy["PolicyDocument"]))
            applied.append(f"{name} (Policies)")
    task = _task_definition(resources, resolve, ecs)
    service = resolve(resources["Service"]["Properties"])
    changes = camel({k: v for k, v in service.items() if k in (
        "NetworkConfiguration", "LoadBalancers", "DeploymentConfiguration",
        "HealthCheckGracePeriodSeconds", "DesiredCount")})
    ecs.update_service(cluster=service["Cluster"], service=service["ServiceName"],
                       taskDefinition=task, **changes)
    applied += ["TaskDefinition (roles, network mode, cpu, compatibilities, platform)",
                f"Service ({', '.join(sorted(changes))})"]
    return applied


def _task_definition(resources: dict[str, Any], resolve: Resolver, ecs: Any) -> str:
    props = resolve(resources["TaskDefinition"]["Properties"])
    made = ecs.describe_task_definition(taskDefinition=resolve.physical["TaskDefinition"])[
        "taskDefinition"]
    keep = ("ExecutionRoleArn", "TaskRoleArn", "NetworkMode", "Cpu", "Memory",
            "RequiresCompatibilities", "RuntimePlatform")
    definition = camel({k: v for k, v in props.items() if k in keep})
    arn: str = ecs.register_task_definition(
        family=made["family"], containerDefinitions=made["containerDefinitions"],
        **definition)["taskDefinition"]["taskDefinitionArn"]
    return arn
