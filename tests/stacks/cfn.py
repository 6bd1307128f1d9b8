"""Create a corpus stack through moto's CloudFormation, then apply what it cannot hold.

moto 5.2.5's CloudFormation drops, and ``finish`` applies with the API as the template says:
AWS::ECS::Service's ``LoadBalancers``, ``DeploymentConfiguration`` and ``NetworkConfiguration``
(UpdateService, as AWS now allows, with the desired count: moto counts running tasks only
after it), AWS::ECS::TaskDefinition's ``ExecutionRoleArn`` and ``RuntimePlatform`` (a new
revision), and AWS::EC2::SubnetRouteTableAssociation. It registers the tasks' addresses in the
target group, as a running service would. moto also keeps an inline role policy of the
template as a Python repr, not JSON: it is put again with the API.
"""

from __future__ import annotations

from pathlib import Path

from tests.stacks.console import Console

TEMPLATES = Path(__file__).parent / "templates"


def create(c: Console, template: str, name: str, **parameters: str) -> dict[str, str]:
    cfn = c.client("cloudformation")
    parameters.setdefault("SecretArn", c.secret(f"{name}-app-secret",
                                                '{"token":"planted-cfn-s3cret"}'))
    cfn.create_stack(StackName=name, TemplateBody=(TEMPLATES / template).read_text(),
                     Parameters=[{"ParameterKey": "Name", "ParameterValue": name}] + [
                         {"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
                     Capabilities=["CAPABILITY_NAMED_IAM"])
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    return {**outputs, "SecretArn": parameters["SecretArn"]}


def finish(c: Console, outputs: dict[str, str], *, service: str, container: str, port: int,
           arch: str = "X86_64", desired: int = 2,
           addresses: tuple[str, ...] = ("10.20.0.50", "10.20.1.50")) -> None:
    """What the template said but moto's CloudFormation dropped, applied with the API."""
    subnets = outputs["Subnets"].split(",")
    for subnet in subnets:
        c.client("ec2").associate_route_table(RouteTableId=outputs["PublicRoutes"],
                                              SubnetId=subnet)
    role = outputs["ExecutionRole"].rsplit("/", 1)[-1]
    secret = c.client("iam").get_role_policy(RoleName=role, PolicyName="secrets")
    if isinstance(secret["PolicyDocument"], str):  # moto keeps the template's dict as a repr
        c.role(role, inline={"secrets": [{"Effect": "Allow",
                                          "Action": "secretsmanager:GetSecretValue",
                                          "Resource": outputs["SecretArn"]}]})
    ecs = c.client("ecs")
    cluster = outputs["Cluster"]
    current = ecs.describe_services(cluster=cluster, services=[service])["services"][0]
    task = ecs.describe_task_definition(taskDefinition=current["taskDefinition"])
    keep = ("family", "networkMode", "requiresCompatibilities", "cpu", "memory",
            "containerDefinitions")
    definition = ecs.register_task_definition(
        executionRoleArn=outputs["ExecutionRole"],
        runtimePlatform={"cpuArchitecture": arch, "operatingSystemFamily": "LINUX"},
        **{k: task["taskDefinition"][k] for k in keep if k in task["taskDefinition"]},
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.update_service(
        cluster=cluster, service=service, desiredCount=desired, taskDefinition=definition,
        networkConfiguration={"awsvpcConfiguration": {
            "subnets": subnets, "securityGroups": [outputs["TaskGroup"]],
            "assignPublicIp": "ENABLED"}},
        loadBalancers=[{"targetGroupArn": outputs["TargetGroup"], "containerName": container,
                        "containerPort": port}],
        healthCheckGracePeriodSeconds=45,
        deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True},
                                 "maximumPercent": 200, "minimumHealthyPercent": 100})
    c.register(outputs["TargetGroup"], addresses[:desired], port)
