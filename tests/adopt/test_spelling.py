"""Pure decisions of adopting, as tables: the schema's spelling of a stack's values, which
variable carries the origins, which host a variable names, and how a choice is settled."""

from __future__ import annotations

import pytest

from shipit.adopt import normalise
from shipit.adopt.cors import cors_variable
from shipit.adopt.discover import _host_in
from shipit.adopt.model import Ambiguous, Choice, Given, pick, refuse
from shipit.errors import UsageError

SM = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/db-AbCdEf"


@pytest.mark.parametrize(("value_from", "arn"), [
    (SM, SM),
    (f"{SM}:password::", f"{SM}:password::"),
    (f"{SM}::AWSPREVIOUS:", f"{SM}::AWSPREVIOUS:"),
    ("arn:aws:ssm:eu-west-1:123456789012:parameter/app/db",
     "arn:aws:ssm:eu-west-1:123456789012:parameter/app/db"),
    ("db-password", "arn:aws:ssm:eu-west-1:123456789012:parameter/db-password"),
    ("/app/prod/db", "arn:aws:ssm:eu-west-1:123456789012:parameter/app/prod/db"),
])
def test_a_secret_reference_is_an_arn(value_from: str, arn: str) -> None:
    assert normalise.secret_reference(value_from, region="eu-west-1",
                                      account="123456789012") == arn


def test_a_bare_name_in_china_is_an_aws_cn_arn() -> None:
    assert normalise.secret_reference("db", region="cn-north-1", account="123456789012") == (
        "arn:aws-cn:ssm:cn-north-1:123456789012:parameter/db")


@pytest.mark.parametrize(("value", "origins", "wildcard", "respelled"), [
    ("https://a.example", ("https://a.example",), False, ()),
    ("https://a.example/, https://b.example", ("https://a.example", "https://b.example"),
     False, ("https://a.example/",)),
    ("https://a.example,https://a.example/", ("https://a.example",), False,
     ("https://a.example/",)),
    ("*", (), True, ()),
    ("https://a.example,*", ("https://a.example",), True, ()),
    (" , ", (), False, ()),
    ("https://a.example/app", ("https://a.example/app",), False, ()),  # refused later
])
def test_origins_in_the_schemas_spelling(value: str, origins: tuple[str, ...], wildcard: bool,
                                         respelled: tuple[str, ...]) -> None:
    spelled = normalise.origins(value)
    assert (spelled.origins, spelled.wildcard, spelled.respelled) == (
        origins, wildcard, respelled)


@pytest.mark.parametrize(("variables", "name"), [
    ({"CORS_ALLOWED_ORIGINS": "https://a", "ALLOWED_ORIGINS": "https://b"},
     "CORS_ALLOWED_ORIGINS"),
    ({"ALLOWED_ORIGINS": "https://a,https://b"}, "ALLOWED_ORIGINS"),
    ({"CORS_ORIGIN": "*"}, "CORS_ORIGIN"),
    ({"FRONTEND_ORIGIN": "https://a", "CORS_ENABLED": "true"}, "FRONTEND_ORIGIN"),
    ({"CORS_MODE": "strict"}, None),  # not a list of origins
    ({"ORIGINS_A": "https://a", "ORIGINS_B": "https://b"}, None),  # two: none is sure
    ({"API_URL": "https://api.example"}, None),  # a URL, not an origins variable
])
def test_the_variable_that_carries_the_origins(variables: dict[str, str],
                                               name: str | None) -> None:
    assert cors_variable(variables) == name


@pytest.mark.parametrize(("value", "host"), [
    ("postgresql://u:p@db.abc.eu-west-1.rds.amazonaws.com:5432/app",
     "db.abc.eu-west-1.rds.amazonaws.com"),
    ("DB.ABC.rds.amazonaws.com", "db.abc.rds.amazonaws.com"),
    ("db.abc.rds.amazonaws.com:5432", "db.abc.rds.amazonaws.com"),
    ("info", None),
    ("8080", None),
    ("a sentence. with a dot", None),
    ("http://[::1", None),
])
def test_the_host_a_variable_names(value: str, host: str | None) -> None:
    assert _host_in(value) == host


CHOICE = Choice("the container", ("app", "worker"), "two essential containers",
                "pass --container NAME")


def test_an_option_settles_a_choice_and_must_name_a_candidate() -> None:
    assert pick(CHOICE, Given("worker", "--container", strict=True), refuse) == (
        "worker", "--container")
    with pytest.raises(UsageError, match="--container 'api' is not the container"):
        pick(CHOICE, Given("api", "--container", strict=True), refuse)


def test_a_base_value_settles_a_choice_only_when_it_is_a_candidate() -> None:
    base = Given("app", "shipit.toml ecs.container", strict=False)
    assert pick(CHOICE, base, refuse) == ("app", "shipit.toml ecs.container")
    with pytest.raises(Ambiguous, match="cannot choose the container"):
        pick(CHOICE, Given("api", "shipit.toml ecs.container", strict=False), refuse)
    assert pick(CHOICE, None, lambda choice: choice.candidates[1]) == ("worker", None)


def test_a_candidate_shown_with_its_detail_is_named_by_its_first_word() -> None:
    albs = Choice("the load balancer", ("web (web-1.elb.amazonaws.com)", "api (api-2.elb)"),
                  "two", "pass --alb NAME")
    assert pick(albs, Given("api", "--alb", strict=True), refuse)[0] == "api (api-2.elb)"


def test_the_base_files_variable_name_is_looked_for_first() -> None:
    variables = {"WEB_HOSTS": "https://a", "ALLOWED_ORIGINS": "https://b"}
    assert cors_variable(variables, "WEB_HOSTS") == "WEB_HOSTS"
    assert cors_variable(variables, "") == "ALLOWED_ORIGINS"
