"""`shipit iam-policy dns` allows every AWS call a real `shipit dns` makes (and no more)."""

from __future__ import annotations

import json

from tests.dns.test_dns import remove_alias
from tests.fixtures.cli import run_cli
from tests.fixtures.iam import AwsCallLog, assert_allows, star_actions, unused_actions
from tests.fixtures.reference_stack import ReferenceStack


def test_dns_policy_allows_every_call_of_a_dns_run(
    reference_stack: ReferenceStack, aws_calls: AwsCallLog
) -> None:
    remove_alias(reference_stack)
    ran = run_cli(["--env", "test", "dns"], cwd=reference_stack.root)
    assert ran.exit_code == 0, ran.stderr
    requests = aws_calls.requests()
    aws_calls.clear()
    printed = run_cli(["--env", "test", "iam-policy", "dns"], cwd=reference_stack.root)
    assert printed.exit_code == 0, printed.stderr
    policy = json.loads(printed.stdout)
    assert_allows(policy, requests)
    assert unused_actions(policy, requests) == set()
    assert star_actions(policy) == {
        "route53:ListHostedZones", "elasticloadbalancing:DescribeTargetGroups",
        "elasticloadbalancing:DescribeLoadBalancers"}
