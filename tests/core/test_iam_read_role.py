"""iam.read_role against a moto server: every statement of attached and inline policies, in
the order IAM lists them, with the reads that do not depend on each other made at once."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from shipit.aws.iam import KNOWN_POLICIES, Statement, _attached_statements, read_role
from shipit.aws.session import AwsSession, AwsTarget
from shipit.errors import ResourceNotFound
from tests.fixtures.moto import REGION, MotoServer

SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
PARAMETER = "arn:aws:ssm:us-east-1:123456789012:parameter/app"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
    "Action": "sts:AssumeRole"}]})


def document(action: str, resource: str = "*") -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": action, "Resource": resource}]})


def test_attached_then_inline_statements_in_listing_order(aws_env: MotoServer) -> None:
    iam = boto3.client("iam", region_name=REGION)
    arn = iam.create_role(RoleName="app-role", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    for name, action in (("pull", "ecr:BatchGetImage"), ("logs", "logs:PutLogEvents")):
        policy = iam.create_policy(PolicyName=name, PolicyDocument=document(action))
        iam.attach_role_policy(RoleName="app-role", PolicyArn=policy["Policy"]["Arn"])
    # a second version, made the default: the statements are the default version's
    pull = "arn:aws:iam::123456789012:policy/pull"
    iam.create_policy_version(PolicyArn=pull, SetAsDefault=True,
                              PolicyDocument=document("ecr:GetDownloadUrlForLayer"))
    iam.put_role_policy(RoleName="app-role", PolicyName="secret",
                        PolicyDocument=document("secretsmanager:GetSecretValue", SECRET))
    iam.put_role_policy(RoleName="app-role", PolicyName="params",
                        PolicyDocument=document("ssm:GetParameters", PARAMETER))
    role = read_role(AwsSession(AwsTarget(region=REGION)), arn)
    listed = [p["PolicyArn"].rsplit("/", 1)[-1]
              for p in iam.list_attached_role_policies(RoleName="app-role")["AttachedPolicies"]]
    by_policy = {"pull": Statement("Allow", ("ecr:GetDownloadUrlForLayer",), ("*",)),
                 "logs": Statement("Allow", ("logs:PutLogEvents",), ("*",))}
    inline = {"secret": Statement("Allow", ("secretsmanager:GetSecretValue",), (SECRET,)),
              "params": Statement("Allow", ("ssm:GetParameters",), (PARAMETER,))}
    names = iam.list_role_policies(RoleName="app-role")["PolicyNames"]
    assert role.statements == (*(by_policy[n] for n in listed), *(inline[n] for n in names))
    assert (role.name, role.arn, role.trusted_services) == (
        "app-role", arn, ("ecs-tasks.amazonaws.com",))
    assert role.unreadable_policies == ()


class DeniedIam:
    """A FAKE IAM client whose every policy read is denied (an account that may not read
    AWS-managed policies); only _attached_statements is given it."""

    def get_policy(self, **_: object) -> object:
        raise PermissionError("AccessDenied")


def test_an_unreadable_policy_is_named_and_a_known_one_is_read_by_heart() -> None:
    known = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
    other = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    fake: Any = DeniedIam()
    assert _attached_statements(fake, known) == (KNOWN_POLICIES[known], known)
    assert _attached_statements(fake, other) == (None, other)


def test_a_missing_role_is_not_found(aws_env: MotoServer) -> None:
    with pytest.raises(ResourceNotFound) as raised:
        read_role(AwsSession(AwsTarget(region=REGION)),
                  "arn:aws:iam::123456789012:role/nobody")
    assert "nobody" in str(raised.value.message) + str(raised.value)
