"""Stacks of other shapes, made from the reference stack on moto the way a console user would
change it: an HTTPS listener with a rule, a sidecar, secrets from SSM and Secrets Manager,
plain-text variables that are secrets, a worker service without a load balancer."""

from __future__ import annotations

import json
from typing import Any

from tests.fixtures.reference_stack import ReferenceStack

PLANTED = {
    "STRIPE_SECRET_KEY": "sk_live_planted0123456789abcdef",
    "ADMIN_PASSWORD": "planted-admin-pw-31337",
    "SENTRY_DSN": "https://planted0key0abc@o1.ingest.sentry.io/5",
    "NOTIFY_URL": "https://hooks.slack.com/services/T0PLANT/B0PLANT/planted0webhook0value",
}
"""Plain-text variables that are secrets; no value may reach a template or a report."""
SSM_VALUE = "planted-ssm-parameter-value"
SIDECAR_IMAGE = "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable"


def https_listener(stack: ReferenceStack) -> str:
    """:443 with an ACM certificate and a path rule; :80 redirects to it. The certificate."""
    arn: str = stack.client("acm").request_certificate(
        DomainName=stack.names.dns_name)["CertificateArn"]
    elbv2 = stack.client("elbv2")
    tg = stack.ids["target_group_arn"]
    listener = elbv2.create_listener(
        LoadBalancerArn=stack.ids["load_balancer_arn"], Protocol="HTTPS", Port=443,
        Certificates=[{"CertificateArn": arn}], SslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06",
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])["Listeners"][0]
    elbv2.create_rule(ListenerArn=listener["ListenerArn"], Priority=10,
                      Conditions=[{"Field": "path-pattern",
                                   "PathPatternConfig": {"Values": ["/api/*"]}}],
                      Actions=[{"Type": "forward", "TargetGroupArn": tg}])
    elbv2.modify_listener(ListenerArn=stack.ids["listener_arn"], DefaultActions=[{
        "Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443",
                                               "StatusCode": "HTTP_301"}}])
    return arn


def ssm_secret(stack: ReferenceStack) -> str:
    ssm = stack.client("ssm")
    ssm.put_parameter(Name="/articles/test/api-key", Value=SSM_VALUE, Type="SecureString")
    arn: str = ssm.get_parameter(Name="/articles/test/api-key")["Parameter"]["ARN"]
    # as the console user must, or the task could not start: let the execution role read it
    stack.client("iam").put_role_policy(
        RoleName=stack.names.execution_role, PolicyName="read-api-key",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "ssm:GetParameters", "Resource": arn}]}))
    return arn


def sidecar_ssm_and_planted(stack: ReferenceStack) -> None:
    """One revision: a log-router sidecar, API_KEY from SSM, and the planted variables."""
    arn = ssm_secret(stack)

    def change(definition: dict[str, Any]) -> None:
        app = definition["containerDefinitions"][0]
        app["environment"] = app["environment"] + [{"name": k, "value": v}
                                                   for k, v in PLANTED.items()]
        app["secrets"] = app["secrets"] + [{"name": "API_KEY", "valueFrom": arn}]
        definition["containerDefinitions"].append({
            "name": "log-router", "image": SIDECAR_IMAGE, "essential": False,
            "cpu": 0, "memory": 64, "firelensConfiguration": {"type": "fluentbit"},
        })

    stack.new_revision(change)


def worker(stack: ReferenceStack) -> str:
    """A second service in the cluster: no port, no load balancer, its own group (which the
    database admits), the app's image, database URL and password. Its name."""
    ec2, ecs = stack.client("ec2"), stack.client("ecs")
    group = ec2.create_security_group(GroupName="articles-worker", VpcId=stack.ids["vpc_id"],
                                      Description="worker: outbound only")["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=stack.ids["security_groups"]["db"],
                                         IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
        "UserIdGroupPairs": [{"GroupId": group, "Description": "worker to database"}]}])
    app = ecs.describe_task_definition(taskDefinition=stack.ids["task_definition_arn"])[
        "taskDefinition"]
    base = app["containerDefinitions"][0]
    environment = [e for e in base["environment"] if e["name"] == "DATABASE_URL"]
    definition = ecs.register_task_definition(
        family="articles-worker", networkMode="awsvpc", requiresCompatibilities=["FARGATE"],
        cpu="256", memory="512", executionRoleArn=app["executionRoleArn"],
        runtimePlatform=app["runtimePlatform"], containerDefinitions=[{
            "name": "worker", "image": base["image"], "cpu": 256, "memory": 512,
            "essential": True, "command": ["python", "-m", "worker"],
            "environment": [*environment, {"name": "QUEUE", "value": "articles"}],
            "secrets": base["secrets"], "logConfiguration": base["logConfiguration"]}],
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.create_service(
        cluster=stack.names.cluster, serviceName="articles-worker", taskDefinition=definition,
        desiredCount=1, launchType="FARGATE", networkConfiguration={"awsvpcConfiguration": {
            "subnets": stack.ids["task_subnet_ids"], "securityGroups": [group],
            "assignPublicIp": "DISABLED"}})
    ecs.update_service(cluster=stack.names.cluster, service="articles-worker", desiredCount=1,
                       deploymentConfiguration={
                           "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                           "maximumPercent": 200, "minimumHealthyPercent": 100})
    text = stack.config_path.read_text(encoding="utf-8")
    stack.config_path.write_text(text + (
        "\n[env.worker]\n"
        f'ecs = {{ cluster = "{stack.names.cluster}", service = "articles-worker",'
        ' container = "worker" }\n'
        f'rds = {{ instance = "{stack.names.db_instance}" }}\n'
        'vars = { APP_ENV = "test" }\n'
        f'secrets = {{ DB_PASSWORD = "{stack.ids["secret_arn"]}" }}\n'), encoding="utf-8")
    return "articles-worker"
