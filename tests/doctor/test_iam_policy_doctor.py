"""`shipit iam-policy doctor` allows every AWS call a real doctor run makes (and no more)."""

from __future__ import annotations

import json

from tests.fixtures.cli import run_cli
from tests.fixtures.iam import AwsCallLog, assert_allows, unused_actions
from tests.fixtures.reference_stack import ReferenceStack


def test_doctor_policy_allows_every_call_of_a_doctor_run(
    reference_stack: ReferenceStack, aws_calls: AwsCallLog
) -> None:
    iam = reference_stack.client("iam")
    managed = iam.create_policy(PolicyName="logs-extra", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "logs:CreateLogGroup", "Resource": "*"}]}))
    iam.attach_role_policy(RoleName=reference_stack.names.execution_role,
                           PolicyArn=managed["Policy"]["Arn"])
    ecs, names = reference_stack.client("ecs"), reference_stack.names
    task = ecs.run_task(
        cluster=names.cluster, taskDefinition=reference_stack.ids["task_definition_arn"],
        launchType="FARGATE", group=f"service:{names.service}",
        networkConfiguration={"awsvpcConfiguration": {
            "subnets": reference_stack.ids["subnet_ids"],
            "securityGroups": [reference_stack.ids["security_groups"]["tasks"]]}},
    )["tasks"][0]
    ecs.stop_task(cluster=names.cluster, task=task["taskArn"],
                  reason="Scaling activity initiated by (deployment ecs-svc/1)")
    ran = run_cli(["--env", "test", "doctor"], cwd=reference_stack.root)
    assert ran.exit_code == 0, ran.stdout + ran.stderr
    requests = aws_calls.requests()
    aws_calls.clear()
    printed = run_cli(["--env", "test", "iam-policy", "doctor"], cwd=reference_stack.root)
    assert printed.exit_code == 0, printed.stderr
    policy = json.loads(printed.stdout)
    assert_allows(policy, requests)
    # SSM parameters are looked up only when a task uses one; this stack uses Secrets Manager.
    assert unused_actions(policy, requests) == {"ssm:DescribeParameters"}
