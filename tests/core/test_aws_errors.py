"""botocore errors -> shipit errors with hints: canned responses as a table, then real calls."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.exceptions as bce
import pytest

from shipit.aws.errors import Denial, parse_denial, translate, translated
from shipit.aws.secrets import check_secrets
from shipit.aws.session import AwsSession, AwsTarget
from shipit.errors import (
    EXIT_ENVIRONMENT,
    AccessDenied,
    AwsError,
    CredentialsMissing,
    RegionProblem,
    ResourceNotFound,
    ShipitError,
)
from shipit.net import free_port
from tests.fixtures.moto import FAKE_CREDENTIALS, REGION, MotoServer

USER = "arn:aws:iam::123456789012:user/bob"
ROLE = "arn:aws:sts::123456789012:assumed-role/Deploy/ci-run-7"
SERVICE_ARN = "arn:aws:ecs:us-east-1:123456789012:service/articles-prod/articles-prod"


@pytest.mark.parametrize(
    ("message", "denial"),
    [
        (
            f"User: {USER} is not authorized to perform: ecs:DescribeServices on resource:"
            f" {SERVICE_ARN} because no identity-based policy allows the ecs:DescribeServices"
            " action",
            Denial(USER, "ecs:DescribeServices", SERVICE_ARN,
                   "because no identity-based policy allows the ecs:DescribeServices action"),
        ),
        (
            f"User: {ROLE} is not authorized to perform: ecr:GetAuthorizationToken on resource: *"
            " with an explicit deny in a service control policy",
            Denial(ROLE, "ecr:GetAuthorizationToken", "*",
                   "with an explicit deny in a service control policy"),
        ),
        (
            f"User: {USER} is not authorized to perform: iam:GetUser on resource: user bob",
            Denial(USER, "iam:GetUser", "user bob", None),
        ),
        (
            f"User: {USER} is not authorized to perform: ecs:DescribeServices",  # moto's format
            Denial(USER, "ecs:DescribeServices", None, None),
        ),
        (
            f"User: {ROLE} is not authorized to perform: kms:Decrypt on the resource associated"
            " with this ciphertext because the resource does not exist in this Region, no"
            " resource-based policies allow access, or a resource-based policy explicitly denies"
            " access.",
            Denial(ROLE, "kms:Decrypt", None, None),
        ),
        (
            f"User: {USER} is not authorized to access this resource",
            Denial(USER, None, None, None),
        ),
        ("Access Denied", Denial(None, None, None, None)),
    ],
)  # fmt: skip
def test_parse_denial(message: str, denial: Denial) -> None:
    assert parse_denial(message) == denial


def client_error(code: str, message: str, status: int = 400) -> bce.ClientError:
    response: Any = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return bce.ClientError(response, "DescribeServices")


# (code, message, resource) -> (class, message contains, hint contains)
CANNED = [
    (
        "AccessDeniedException",
        f"User: {USER} is not authorized to perform: ecs:DescribeServices on resource:"
        f" {SERVICE_ARN} because no identity-based policy allows the ecs:DescribeServices action",
        None, AccessDenied,
        f"access denied: ecs:DescribeServices on {SERVICE_ARN} for user bob",
        f"allow ecs:DescribeServices on {SERVICE_ARN} for user bob",
    ),
    (
        "AccessDeniedException",
        f"User: {ROLE} is not authorized to perform: ecr:CreateRepository on resource:"
        " arn:aws:ecr:us-east-1:123456789012:repository/articles with an explicit deny in an"
        " identity-based policy: arn:aws:iam::123456789012:policy/no-create",
        None, AccessDenied, "for role Deploy",
        "an explicit Deny in an identity-based policy: arn:aws:iam::123456789012:policy/no-create",
    ),
    (
        "AccessDenied",
        f"User: {ROLE} is not authorized to perform: sts:AssumeRole on resource: * with an"
        " explicit deny in a service control policy",
        None, AccessDenied, "sts:AssumeRole on *", "AWS Organization's administrators",
    ),
    (
        "AccessDeniedException",
        f"User: {ROLE} is not authorized to perform: logs:FilterLogEvents on resource:"
        " arn:aws:logs:us-east-1:123456789012:log-group:/ecs/articles:log-stream: because no"
        " permissions boundary allows the logs:FilterLogEvents action",
        None, AccessDenied, "logs:FilterLogEvents", "permissions boundary for role Deploy",
    ),
    (
        "AccessDeniedException",
        f"User: {ROLE} is not authorized to perform: secretsmanager:GetSecretValue on resource:"
        " db because no resource-based policy allows the secretsmanager:GetSecretValue action",
        None, AccessDenied, "on db", "the policy on db itself",
    ),
    (
        "UnauthorizedOperation",
        "You are not authorized to perform this operation. Encoded authorization failure"
        " message: AbCdEf123",
        "sg-123", AccessDenied, "access denied: ecs:DescribeServices on sg-123",
        "decode-authorization-message",
    ),
    (
        "AccessDenied", "Access Denied", None, AccessDenied,
        "access denied: ecs:DescribeServices on *", "shipit iam-policy",
    ),
    (
        "403",
        '<?xml version="1.0"?><ErrorResponse><Errors><Error><Code>AccessDenied</Code><Message>'
        f"User: {USER} is not authorized to perform: ecs:ListClusters</Message></Error></Errors>"
        "</ErrorResponse>",
        None, AccessDenied, "ecs:ListClusters on * for user bob", "allow ecs:ListClusters",
    ),
    (
        "UnrecognizedClientException", "The security token included in the request is invalid.",
        None, CredentialsMissing, "AWS rejected the credentials", "opt-in region",
    ),
    (
        "InvalidClientTokenId", "The security token included in the request is invalid.",
        None, CredentialsMissing, "InvalidClientTokenId", "aws configure",
    ),
    (
        "ExpiredTokenException", "The security token included in the request is expired",
        None, CredentialsMissing, "expired", "aws sso login",
    ),
    (
        "SignatureDoesNotMatch", "Signature expired", None, CredentialsMissing,
        "signature", "clock",
    ),
    (
        "ClusterNotFoundException", "Cluster not found.", "articles-prod", ResourceNotFound,
        "Cluster not found. (articles-prod)", "aws.region",
    ),
    (
        "DBInstanceNotFound", "DBInstance db not found.", None, ResourceNotFound,
        "DBInstance db not found.", "shipit.toml",
    ),
    ("InvalidRegion", "bad region", None, RegionProblem, "bad region", "aws.region"),
    (
        "ThrottlingException", "Rate exceeded", None, AwsError,
        "ecs:DescribeServices was throttled", "retry",
    ),
    (
        "InvalidParameterException", "bad", "svc", AwsError,
        "ecs:DescribeServices failed: InvalidParameterException: bad (svc)", "",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("code", "message", "resource", "kind", "says", "hint"),
    CANNED,
    ids=[f"{case[0]}-{i}" for i, case in enumerate(CANNED)],
)
def test_translate_client_errors(
    code: str, message: str, resource: str | None, kind: type[ShipitError], says: str, hint: str
) -> None:
    error = translate(
        client_error(code, message, 403 if code == "403" else 400),
        operation="ecs:DescribeServices",
        resource=resource,
    )
    assert type(error) is kind
    assert error.exit_code == EXIT_ENVIRONMENT
    assert says in error.message
    assert hint in (error.hint or "")


def test_access_denied_carries_action_resource_and_principal() -> None:
    error = translate(client_error("AccessDenied", CANNED[0][1]), operation="x:Y")
    assert isinstance(error, AccessDenied)
    assert (error.action, error.resource, error.principal) == (
        "ecs:DescribeServices", SERVICE_ARN, USER,
    )  # fmt: skip
    data = error.to_dict()
    assert (data["kind"], data["action"], data["aws_code"]) == (
        "access-denied", "ecs:DescribeServices", "AccessDenied",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("exc", "kind", "hint"),
    [
        (bce.NoCredentialsError(), CredentialsMissing, "aws configure"),
        (bce.PartialCredentialsError(provider="env", cred_var="AWS_SECRET_ACCESS_KEY"),
         CredentialsMissing, "AWS_PROFILE"),
        (bce.ProfileNotFound(profile="nope"), CredentialsMissing, "list-profiles"),
        (bce.SSOTokenLoadError(error_msg="expired"), CredentialsMissing, "aws sso login"),
        (bce.TokenRetrievalError(provider="sso", error_msg="x"), CredentialsMissing, "sso login"),
        (bce.CredentialRetrievalError(provider="assume-role", error_msg="x"),
         CredentialsMissing, "role_arn"),
        (bce.NoRegionError(), RegionProblem, "--region"),
        (bce.EndpointConnectionError(endpoint_url="http://127.0.0.1:9"), AwsError, "network"),
        (ValueError("odd"), AwsError, ""),
    ],
)  # fmt: skip
def test_translate_botocore_exceptions(exc: Exception, kind: type[ShipitError], hint: str) -> None:
    error = translate(exc, operation="sts:GetCallerIdentity")
    assert type(error) is kind
    assert hint in (error.hint or "")


def test_translated_passes_shipit_errors_through() -> None:
    original = ResourceNotFound("gone")
    with pytest.raises(ResourceNotFound) as caught, translated(operation="x"):
        raise original
    assert caught.value is original


# -- real calls against moto server ------------------------------------------------------------
def test_not_found_from_a_real_call(aws_env: MotoServer) -> None:
    aws = AwsSession(AwsTarget(region=REGION))
    with pytest.raises(ResourceNotFound) as caught, translated(
        operation="secretsmanager:DescribeSecret", resource="db"
    ):
        aws.client("secretsmanager").describe_secret(SecretId="db")
    assert caught.value.code == "ResourceNotFoundException"
    assert caught.value.message.endswith("(db)")


@pytest.fixture
def moto_with_iam(tmp_path: Path) -> Iterator[str]:
    """A separate moto server that enforces IAM after the first 3 (setup) requests."""
    port = free_port()
    log = (tmp_path / "moto-iam.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env={**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": "3"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"{url}/moto-api/", timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_access_denied_from_a_real_call(
    moto_with_iam: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = boto3.client(
        "iam", endpoint_url=moto_with_iam, region_name=REGION,
        aws_access_key_id="AKIAADMIN", aws_secret_access_key="x",
    )  # fmt: skip
    admin.create_user(UserName="deployer")
    key = admin.create_access_key(UserName="deployer")["AccessKey"]
    admin.put_user_policy(
        UserName="deployer",
        PolicyName="whoami-only",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"}]}
        ),
    )  # fmt: skip
    for name in FAKE_CREDENTIALS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_with_iam)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    aws = AwsSession(AwsTarget(region=REGION))
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
    with pytest.raises(AccessDenied) as caught:
        check_secrets(aws, {"DB_PASSWORD": arn})
    error = caught.value
    assert error.action == "secretsmanager:DescribeSecret"
    assert error.principal == "arn:aws:iam::123456789012:user/deployer"
    assert error.message == (
        f"access denied: secretsmanager:DescribeSecret on {arn} for user deployer"
    )
    assert error.exit_code == EXIT_ENVIRONMENT
