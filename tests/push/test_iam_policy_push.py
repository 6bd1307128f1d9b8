"""`shipit iam-policy push` is complete and least-privilege: every AWS operation a real push
makes (API calls recorded on shipit's clients, registry requests recorded by the emulated ECR
data plane) is allowed by the printed policy, and nothing else is granted."""

from __future__ import annotations

import json

import pytest

from tests.fixtures.cli import run_cli
from tests.fixtures.ecr_registry import EcrDataPlane
from tests.fixtures.iam import ACCOUNT, AwsCallLog, assert_allows, star_actions, unused_actions
from tests.push.conftest import BuildImage, Project

pytestmark = pytest.mark.buildah


def test_push_policy_allows_every_operation_of_a_push(
    project: Project, build_image: BuildImage,
    ecr_registry: EcrDataPlane, aws_calls: AwsCallLog,
) -> None:
    build_image()
    pushed = run_cli(["--config", str(project.config), "push"])
    assert pushed.exit_code == 0, pushed.stderr
    registry_requests = [
        (r.action, f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/{r.repository}")
        for r in ecr_registry.actions]
    requests = aws_calls.requests() + registry_requests
    assert {a for a, _ in registry_requests} >= {"ecr:InitiateLayerUpload", "ecr:PutImage"}

    aws_calls.clear()
    printed = run_cli(["--config", str(project.config), "iam-policy", "push"])
    assert printed.exit_code == 0, printed.stderr
    policy = json.loads(printed.stdout)

    assert_allows(policy, requests)
    assert star_actions(policy) == {"ecr:GetAuthorizationToken"}
    assert "ecr:GetAuthorizationToken has no resource-level permissions" in printed.stderr
    assert unused_actions(policy, requests) == set()
    repo_arn = f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/{project.repository}"
    assert [s["Resource"] for s in policy["Statement"]] == ["*", repo_arn]


def test_a_policy_without_put_image_is_caught(
    project: Project, aws_env: object,
) -> None:
    printed = run_cli(["--json", "--config", str(project.config), "iam-policy", "push"])
    policy = json.loads(printed.stdout)
    for statement in policy["Statement"]:
        statement["Action"] = [a for a in statement["Action"] if a != "ecr:PutImage"]
    repo_arn = f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/{project.repository}"
    with pytest.raises(AssertionError, match="ecr:PutImage on " + repo_arn):
        assert_allows(policy, [("ecr:PutImage", repo_arn)])
    with pytest.raises(AssertionError, match="ecr:PutImage"):
        assert_allows(policy, [("ecr:PutImage", repo_arn.replace(project.repository, "other"))])
