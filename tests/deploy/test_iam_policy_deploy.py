"""`shipit iam-policy deploy` is complete: every AWS call of a real deploy (a good one, and a
failing one that reads the task's logs) is allowed by the printed policy."""

from __future__ import annotations

import json

from tests.fixtures.iam import AwsCallLog, assert_allows
from tests.fixtures.sandbox import Sandbox


def test_deploy_policy_allows_every_operation_of_a_deploy(
    sandbox: Sandbox, aws_calls: AwsCallLog
) -> None:
    sandbox.put_image("v2")
    assert sandbox.cli("deploy", "--tag", "v2").exit_code == 0
    sandbox.set_vars(DATABASE_URL=None)
    sandbox.put_image("v3")
    failed = sandbox.cli("--json", "deploy", "--tag", "v3")
    assert failed.exit_code == 1
    assert failed.json()["last_log_lines"]
    requests = aws_calls.requests()
    assert {a for a, _ in requests} >= {"ecs:RegisterTaskDefinition", "ecs:UpdateService",
                                        "logs:GetLogEvents", "ecr:DescribeImages"}

    aws_calls.clear()
    printed = sandbox.cli("iam-policy", "deploy")
    assert printed.exit_code == 0, printed.stderr
    assert_allows(json.loads(printed.stdout), requests)
