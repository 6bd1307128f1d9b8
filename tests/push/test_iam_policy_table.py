"""The policy table renders scoped, valid policies; missing config keys are named. Pure."""

from __future__ import annotations

import pytest

from shipit.errors import ConfigError, UsageError
from shipit.iam_policy import (
    COMMANDS,
    GRANTS,
    SECRETS,
    Grant,
    Scope,
    build_policy,
    select_commands,
    star_reasons,
)

SCOPE = Scope(region="eu-west-1", account="111122223333", values={
    "repository": "articles", "cluster": "c", "service": "s", "zone_id": "Z1",
    "db_instance": "db1"}, secrets=(
    "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/db",
    "arn:aws:ssm:eu-west-1:111122223333:parameter/app/key"))


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_renders_a_valid_policy(command: str) -> None:
    policy = build_policy([command], SCOPE)
    assert policy["Version"] == "2012-10-17"
    sids = [s["Sid"] for s in policy["Statement"]]
    assert len(sids) == len(set(sids))
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        resources = statement["Resource"]
        for resource in [resources] if isinstance(resources, str) else resources:
            assert resource == "*" or resource.startswith("arn:aws:")
            assert "{" not in resource


def test_star_is_only_granted_with_a_documented_reason() -> None:
    for grants in GRANTS.values():
        for grant in grants:
            if "*" in grant.resources:
                assert grant.resources == ("*",)
                assert "resource-level" in grant.why or grant.condition


def test_push_is_scoped_to_the_repository_in_the_region_and_account() -> None:
    policy = build_policy(["push"], SCOPE)
    assert policy["Statement"][0] == {"Sid": "EcrLogin", "Effect": "Allow",
                                      "Action": ["ecr:GetAuthorizationToken"], "Resource": "*"}
    assert policy["Statement"][1]["Resource"] == (
        "arn:aws:ecr:eu-west-1:111122223333:repository/articles")
    assert star_reasons(["push"]) == {
        "ecr:GetAuthorizationToken":
        "ecr:GetAuthorizationToken has no resource-level permissions (AWS requires *)"}


def test_partitions_follow_the_region() -> None:
    china = Scope(region="cn-north-1", account="1", values={"repository": "r"})
    assert build_policy(["push"], china)["Statement"][1]["Resource"].startswith("arn:aws-cn:")


def test_secrets_manager_arns_get_the_random_suffix_wildcard(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    grant = Grant("SecretsExist", ("secretsmanager:DescribeSecret",), (SECRETS,), "exists?")
    monkeypatch.setitem(GRANTS, "secrets-test", (grant,))
    statement = next(s for s in build_policy(["secrets-test"], SCOPE)["Statement"]
                     if s["Sid"] == "SecretsExist")
    assert statement["Resource"] == [
        "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/db-*",
        "arn:aws:ssm:eu-west-1:111122223333:parameter/app/key"]


def test_a_missing_key_names_it() -> None:
    scope = Scope(region="eu-west-1", account="1", values={"repository": "r"})
    with pytest.raises(ConfigError, match=r"ecs.cluster is not set, and the deploy policy"):
        build_policy(["deploy"], scope)


def test_unknown_command_is_a_usage_error() -> None:
    assert select_commands(None) == list(COMMANDS)
    with pytest.raises(UsageError, match="no IAM policy for 'build'"):
        select_commands("build")
