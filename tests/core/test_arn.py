"""shipit.arn: the one grammar of ARNs, regions and container secret sources (table tests)."""

from __future__ import annotations

import pytest

from shipit.arn import account_of, is_region, parse_arn, parse_secret_source, partition_of

A = "123456789012"


@pytest.mark.parametrize(("value", "ok"), [
    ("us-east-1", True), ("us-gov-west-1", True), ("cn-north-1", True), ("ap-southeast-4", True),
    ("US-EAST-1", False), ("us-east", False), ("useast1", False), ("", False),
])
def test_region_shape(value: str, ok: bool) -> None:
    assert is_region(value) is ok


@pytest.mark.parametrize(("arn", "account", "partition"), [
    (f"arn:aws:iam::{A}:role/x", A, "aws"),
    (f"arn:aws-cn:ecs:cn-north-1:{A}:service/c/s", A, "aws-cn"),
    (f"arn:aws-us-gov:ssm:us-gov-west-1:{A}:parameter/x", A, "aws-us-gov"),
    ("arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy", None, "aws"),
])
def test_arns_in_every_partition(arn: str, account: str | None, partition: str) -> None:
    parsed = parse_arn(arn)
    assert parsed is not None
    assert parsed.partition == partition
    assert str(parsed) == arn
    assert account_of(arn) == account


def test_not_an_arn() -> None:
    assert parse_arn("db-password") is None
    assert account_of("nope") is None


@pytest.mark.parametrize(("region", "partition"), [
    ("us-east-1", "aws"), ("cn-northwest-1", "aws-cn"), ("us-gov-east-1", "aws-us-gov")])
def test_partition_of_a_region(region: str, partition: str) -> None:
    assert partition_of(region) == partition


SM = f"arn:aws:secretsmanager:eu-west-1:{A}:secret:prod/db-AbCdEf"


@pytest.mark.parametrize(("source", "kind", "own", "name", "key", "stage", "version"), [
    (SM, "secretsmanager", SM, "prod/db-AbCdEf", "", "", ""),
    (f"{SM}:password::", "secretsmanager", SM, "prod/db-AbCdEf", "password", "", ""),
    (f"{SM}:password:AWSPREVIOUS:", "secretsmanager", SM, "prod/db-AbCdEf", "password",
     "AWSPREVIOUS", ""),
    (f"{SM}:::v-1", "secretsmanager", SM, "prod/db-AbCdEf", "", "", "v-1"),
    (f"arn:aws:ssm:eu-west-1:{A}:parameter/db", "ssm", f"arn:aws:ssm:eu-west-1:{A}:parameter/db",
     "db", "", "", ""),
    (f"arn:aws:ssm:eu-west-1:{A}:parameter/app/db", "ssm",
     f"arn:aws:ssm:eu-west-1:{A}:parameter/app/db", "/app/db", "", "", ""),
    ("db-password", "ssm", None, "db-password", "", "", ""),
    ("/app/db", "ssm", None, "/app/db", "", "", ""),
])
def test_secret_sources(source: str, kind: str, own: str | None, name: str, key: str,
                        stage: str, version: str) -> None:
    ref = parse_secret_source(source)
    assert (ref.kind, ref.arn, ref.name) == (kind, own, name)
    assert (ref.json_key, ref.version_stage, ref.version_id) == (key, stage, version)


def test_a_bare_parameter_name_resolves_in_the_tasks_region() -> None:
    ref = parse_secret_source("/app/db")
    assert ref.in_region("eu-west-1", A) == f"arn:aws:ssm:eu-west-1:{A}:parameter/app/db"
    assert ref.action == "ssm:GetParameters"
    assert parse_secret_source(SM).action == "secretsmanager:GetSecretValue"
