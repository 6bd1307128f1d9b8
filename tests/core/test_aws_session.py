"""The AWS layer: target precedence, endpoints (boto3's own variables), regions, credentials."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from shipit.aws.identity import caller_identity
from shipit.aws.session import (
    AwsSession,
    AwsTarget,
    check_region,
    resolve_target,
    service_endpoint_variable,
)
from shipit.errors import CredentialsMissing, RegionProblem
from tests.fixtures.moto import REGION, MotoServer

CLOSED = "http://127.0.0.1:9"  # nothing listens on the discard port: a call there fails fast


@pytest.mark.parametrize(
    ("kwargs", "environ", "expected"),
    [
        ({}, {}, AwsTarget()),
        (
            {"region_option": "eu-west-1", "config_region": "us-east-1"},
            {"AWS_REGION": "ap-south-1"},
            AwsTarget(region="eu-west-1", region_source="--region"),
        ),
        (
            {"config_region": "us-east-1"},
            {"AWS_REGION": "ap-south-1", "AWS_DEFAULT_REGION": "eu-north-1"},
            AwsTarget(region="us-east-1", region_source="aws.region"),
        ),
        (
            {},
            {"AWS_REGION": "ap-south-1", "AWS_DEFAULT_REGION": "eu-north-1"},
            AwsTarget(region="ap-south-1", region_source="AWS_REGION"),
        ),
        ({}, {"AWS_DEFAULT_REGION": "eu-north-1"},
         AwsTarget(region="eu-north-1", region_source="AWS_DEFAULT_REGION")),
        (
            {"profile_option": "cli", "config_profile": "cfg"},
            {"AWS_PROFILE": "env"},
            AwsTarget(profile="cli", profile_source="--profile"),
        ),
        ({"config_profile": "cfg"}, {"AWS_PROFILE": "env"},
         AwsTarget(profile="env", profile_source="AWS_PROFILE")),
        ({"config_profile": "cfg"}, {}, AwsTarget(profile="cfg", profile_source="aws.profile")),
        # CI: static keys in the environment win over a profile named in shipit.toml
        ({"config_profile": "cfg"}, {"AWS_ACCESS_KEY_ID": "AKIA"}, AwsTarget()),
        ({"config_endpoint": "http://127.0.0.1:5000"}, {},
         AwsTarget(endpoint_url="http://127.0.0.1:5000")),
    ],
)  # fmt: skip
def test_resolve_target(
    kwargs: dict[str, Any], environ: dict[str, str], expected: AwsTarget
) -> None:
    assert resolve_target(**kwargs, environ=environ) == expected


@pytest.mark.parametrize(
    ("service", "variable"),
    [
        ("ecs", "AWS_ENDPOINT_URL_ECS"),
        ("sts", "AWS_ENDPOINT_URL_STS"),
        ("elbv2", "AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2"),
        ("route53", "AWS_ENDPOINT_URL_ROUTE_53"),
        ("logs", "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS"),
        ("secretsmanager", "AWS_ENDPOINT_URL_SECRETS_MANAGER"),
    ],
)
def test_service_endpoint_variable(service: str, variable: str) -> None:
    assert service_endpoint_variable(service) == variable


def test_aws_endpoint_url_reaches_moto(aws_env: MotoServer) -> None:
    aws = AwsSession(AwsTarget(region=REGION))
    identity = caller_identity(aws)
    assert identity.endpoint == aws_env.url
    assert identity.account == "123456789012"
    assert identity.credentials == "env"


def test_per_service_variable_beats_the_global_one(
    aws_env: MotoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", CLOSED)
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", aws_env.url)
    aws = AwsSession(AwsTarget(region=REGION))
    assert caller_identity(aws).endpoint == aws_env.url
    assert aws.client("ecs").meta.endpoint_url == CLOSED


def test_config_endpoint_keeps_per_service_variables_working(
    aws_env: MotoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    localhost = aws_env.url.replace("127.0.0.1", "localhost")
    monkeypatch.setenv("AWS_ENDPOINT_URL", CLOSED)  # the config beats the global variable
    monkeypatch.setenv("AWS_ENDPOINT_URL_ECS", localhost)  # a per-service one beats the config
    aws = AwsSession(AwsTarget(region=REGION, endpoint_url=aws_env.url))
    assert caller_identity(aws).endpoint == aws_env.url
    ecs = aws.client("ecs")
    assert ecs.meta.endpoint_url == localhost
    ecs.create_cluster(clusterName="via-service-variable")
    assert ecs.list_clusters()["clusterArns"][0].endswith("/via-service-variable")


def test_ignore_configured_endpoints_leaves_the_config_endpoint(
    aws_env: MotoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", CLOSED)
    aws = AwsSession(AwsTarget(region=REGION, endpoint_url=aws_env.url))
    assert caller_identity(aws).endpoint == aws_env.url


@pytest.mark.parametrize(
    ("region", "hint"),
    [
        ("us-east1", "did you mean 'us-east-1'?"),
        ("zz-mars-7", "upgrade boto3"),
        ("prod", "use a region code"),
    ],
)
def test_unknown_region(region: str, hint: str) -> None:
    with pytest.raises(RegionProblem) as caught:
        check_region(region, source="--region")
    assert caught.value.message == f"unknown AWS region {region!r} (from --region)"
    assert hint in (caught.value.hint or "")


def test_unknown_region_is_caught_before_any_call(aws_env: MotoServer) -> None:
    aws = AwsSession(AwsTarget(region="eu-wset-1", region_source="aws.region"))
    with pytest.raises(RegionProblem, match=r"'eu-wset-1' \(from aws.region\)"):
        aws.client("sts")


def test_no_credentials(
    no_aws: None, moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The endpoint comes from the environment, not aws.endpoint_url: a loopback endpoint in the
    # config is the sandbox, which gets placeholder credentials (test_placeholder_credentials).
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server.url)
    aws = AwsSession(AwsTarget(region=REGION))
    with pytest.raises(CredentialsMissing) as caught:
        caller_identity(aws)
    assert caught.value.message == "no AWS credentials found"
    assert "aws configure" in (caught.value.hint or "")


def test_unknown_profile(no_aws: None) -> None:
    aws = AwsSession(AwsTarget(region=REGION, profile="nope"))
    with pytest.raises(CredentialsMissing, match="nope"):
        aws.client("sts")


def test_assume_role_through_a_profile(
    no_aws: None, moto_server: MotoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    moto_server.reset()
    config = tmp_path / "aws-config"
    config.write_text(
        "[profile base]\naws_access_key_id = AKIABASE\naws_secret_access_key = x\n\n"
        "[profile deploy]\nrole_arn = arn:aws:iam::123456789012:role/deploy\n"
        "source_profile = base\nrole_session_name = shipit-test\nregion = eu-west-1\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server.url)
    aws = AwsSession(resolve_target(profile_option="deploy", environ=os.environ))
    identity = caller_identity(aws)
    assert identity.arn == "arn:aws:sts::123456789012:assumed-role/deploy/shipit-test"
    assert (identity.region, identity.region_source) == ("eu-west-1", "the AWS profile")
    assert (identity.profile, identity.credentials) == ("deploy", "assume-role")
