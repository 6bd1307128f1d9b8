"""Malformed shipit.toml files: each error names the file, the key path and the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from shipit.config import Config, find_config, load_config
from shipit.errors import EXIT_USAGE, ConfigError, UnknownEnvironment

GOOD = Path(__file__).resolve().parents[2] / "shipit.toml"

# (id, text, key path, line, words in the message)
MALFORMED = [
    ("toml-syntax", '[aws\nregion = "us-east-1"\n', None, 1, "not valid TOML"),
    ("toml-duplicate", '[aws]\nregion = "a"\nregion = "b"\n', None, 3, "not valid TOML"),
    (
        "unknown-key-base",
        '[ecs]\ncluster = "c"\nclutser = "x"\n',
        "ecs.clutser", 3, "unknown key 'clutser'; did you mean 'cluster'?",
    ),
    ("unknown-section", '[ecss]\ncluster = "c"\n', "ecss", 1, "did you mean 'ecs'?"),
    (
        "unknown-key-env-inline",
        '[ecs]\ncluster = "c"\n\n[env.prod]\necs = { cluster = "p", sevice = "s" }\n',
        "env.prod.ecs.sevice", 5, "unknown key 'sevice'",
    ),
    (
        "unknown-key-env-table",
        '[env.prod]\nhttp = { url = "https://x.example" }\n\n[env.prod.ecs]\nclustr = "p"\n',
        "env.prod.ecs.clustr", 5, "known: cluster, service, container, desired_count",
    ),
    (
        "unknown-key-env-dotted",
        '[env.prod]\nrds.instanse = "db"\n',
        "env.prod.rds.instanse", 2, "unknown key 'instanse'",
    ),
    (
        "wrong-type-int",
        '[ecs]\ndesired_count = "3"\n',
        "ecs.desired_count", 2, "valid integer, got string '3'",
    ),
    (
        "wrong-type-env-var",
        '[env.dev]\nvars = { APP_ENV = "dev", PORT = 8000 }\n',
        "env.dev.vars.PORT", 2, "valid string, got integer 8000",
    ),
    (
        "wrong-type-secret-var-is-not-echoed",
        '[vars]\nDB_PASSWORD = 12345\n',
        "vars.DB_PASSWORD", 2, "got integer ***",
    ),
    (
        "wrong-type-table",
        'ecs = "cluster"\n',
        "ecs", 1, "got string 'cluster'",
    ),
    (
        "bad-platform",
        '[image]\nplatforms = [\n  "linux/amd64",\n  "linux/s390x",\n]\n',
        "image.platforms.1", 4, "'linux/s390x': use linux/amd64 or linux/arm64",
    ),
    (
        "repeated-platform",
        '[image]\nplatforms = ["linux/amd64", "linux/amd64"]\n',
        "image.platforms", 2, "must not repeat",
    ),
    (
        "bad-builder",
        '[image]\nbuilder = "kaniko"\n',
        "image.builder", 2, "'buildx' or 'buildah'",
    ),
    (
        "bad-secret-arn",
        '[env.prod]\nsecrets = { DB_PASSWORD = "arn:aws:s3:::bucket/key" }\n',
        "env.prod.secrets.DB_PASSWORD", 2, "is not a Secrets Manager secret ARN",
    ),
    (
        "bad-secret-name",
        '[secrets]\n"db-password" = "arn:aws:ssm:us-east-1:123456789012:parameter/db"\n',
        "secrets.db-password", 2, "not an environment variable name",
    ),
    (
        "cors-star",
        '[http]\ncors_origins = ["https://app.example.com", "*"]\n',
        "http.cors_origins.1", 2, "'*' is not an origin",
    ),
    (
        "cors-with-path",
        '[env.prod]\nhttp = { cors_origins = ["https://app.example.com/"] }\n',
        "env.prod.http.cors_origins.0", 2, "no path",
    ),
    ("bad-region", '[aws]\nregion = "us_east_1"\n', "aws.region", 2, "not an AWS region code"),
    ("bad-account", '[aws]\naccount_id = "1234"\n', "aws.account_id", 2, "pattern"),
    (
        "dns-name-outside-zone",
        '[dns]\nzone = "example.com"\nname = "api.example.org"\n',
        "dns", 1, "is not inside dns.zone",
    ),
    (
        "var-and-secret",
        '[vars]\nDB = "x"\n[secrets]\nDB = "arn:aws:ssm:us-east-1:123456789012:parameter/db"\n',
        "secrets.DB", 4, "DB is in both vars (shipit.toml:2) and secrets",
    ),
    ("bad-env-name", '[env.Prod]\necs = { cluster = "c" }\n', "env.Prod", 1, "lowercase"),
    ("env-not-a-table", 'env = "prod"\n', "env", 1, "table of environments"),
    ("project-not-a-string", "project = 3\n", "project", 1, "must be a string"),
]


@pytest.mark.parametrize(
    ("text", "key", "line", "words"),
    [case[1:] for case in MALFORMED],
    ids=[case[0] for case in MALFORMED],
)
def test_malformed_config(
    tmp_path: Path, text: str, key: str | None, line: int | None, words: str
) -> None:
    path = tmp_path / "shipit.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    error = caught.value
    assert error.exit_code == EXIT_USAGE
    assert (error.key, error.line) == (key, line)
    assert error.path == str(path)
    assert words in error.message
    where = f"{path}:{line}" if line else str(path)
    assert error.message.startswith(where)


def test_every_problem_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "shipit.toml"
    path.write_text('[ecs]\nclutser = "x"\ndesired_count = -1\n\n[http]\nurl = "ftp://x"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    problems = {(p.key, p.line) for p in caught.value.problems}
    assert problems == {("ecs.clutser", 2), ("ecs.desired_count", 3), ("http.url", 6)}
    assert caught.value.message.startswith("3 problems:")
    assert caught.value.to_dict()["problems"] == [p.to_dict() for p in caught.value.problems]


def test_local_overlay_errors_name_the_overlay_file(tmp_path: Path) -> None:
    (tmp_path / "shipit.toml").write_text('[ecs]\ncluster = "c"\n')
    local = tmp_path / ".shipit" / "envs" / "sandbox.toml"
    local.parent.mkdir(parents=True)
    local.write_text('[aws]\nendpoint_url = "http://127.0.0.1:5000"\n\n[ecs]\nsrvice = "s"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "shipit.toml")
    assert (caught.value.path, caught.value.key, caught.value.line) == (str(local), "ecs.srvice", 5)


def test_local_overlay_becomes_an_environment(tmp_path: Path) -> None:
    (tmp_path / "shipit.toml").write_text('[ecs]\ncluster = "c"\ncontainer = "app"\n')
    local = tmp_path / ".shipit" / "envs" / "sandbox.toml"
    local.parent.mkdir(parents=True)
    local.write_text('[ecs]\ncluster = "sandbox"\n')
    config = load_config(tmp_path / "shipit.toml")
    assert config.environments == ["sandbox"]
    assert config.source("sandbox") == local
    ecs = config.settings("sandbox").ecs
    assert (ecs.cluster, ecs.container) == ("sandbox", "app")


def test_the_example_config_is_valid_and_envs_differ_only_where_they_must() -> None:
    config = load_config(GOOD)
    assert config.environments == ["dev", "prod", "staging"]
    prod = config.settings("prod")
    assert (prod.ecs.cluster, prod.ecs.desired_count, prod.http.health_path) == (
        "articles-prod", 3, "/api/health",
    )  # fmt: skip
    assert config.settings(None).ecs.cluster is None


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("SHIPIT_ENV", "unknown environment 'prd' (from SHIPIT_ENV); known: dev, prod, staging"),
        (None, "unknown environment 'prd'; known: dev, prod, staging"),
    ],
)
def test_unknown_environment(source: str | None, message: str) -> None:
    config = load_config(GOOD)
    with pytest.raises(UnknownEnvironment) as caught:
        config.settings("prd", source=source)
    assert caught.value.exit_code == EXIT_USAGE
    assert caught.value.message == message
    assert "did you mean 'prod'?" in (caught.value.hint or "")


def test_find_config_walks_up_and_accepts_a_folder(tmp_path: Path) -> None:
    (tmp_path / "shipit.toml").write_text("")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_config(deep) == tmp_path / "shipit.toml"
    assert find_config(deep, tmp_path) == tmp_path / "shipit.toml"
    with pytest.raises(ConfigError, match="config file not found"):
        find_config(deep, tmp_path / "missing.toml")


def test_strict_types_and_no_coercion() -> None:
    config = Config(GOOD, {"ecs": {"desired_count": True}}, {}, {}, None)
    with pytest.raises(ConfigError, match="valid integer, got boolean True"):
        config.settings(None)
