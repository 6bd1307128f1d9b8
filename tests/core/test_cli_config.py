"""`shipit config show|diff|validate` and `shipit whoami`, run through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from shipit.errors import EXIT_ENVIRONMENT, EXIT_OK, EXIT_USAGE
from tests.fixtures.cli import run_cli
from tests.fixtures.moto import MotoServer

PROJECT = """\
project = "demo"

[aws]
region = "us-east-1"

[ecs]
container = "app"

[vars]
LOG_LEVEL = "info"
API_TOKEN = "plain-token-value"

[env.dev]
ecs = { cluster = "demo-dev", service = "demo-dev", desired_count = 1 }
vars = { DATABASE_URL = "postgresql://demo:devpass@db-dev:5432/demo", LOG_LEVEL = "debug" }
secrets = { DB_PASSWORD = "arn:aws:secretsmanager:us-east-1:123456789012:secret:demo/dev/db" }

[env.prod]
ecs = { cluster = "demo-prod", service = "demo-prod", desired_count = 3 }
vars = { DATABASE_URL = "postgresql://demo:prodpass@db-prod:5432/demo", API_TOKEN = "other" }
secrets = { DB_PASSWORD = "arn:aws:secretsmanager:us-east-1:123456789012:secret:demo/prod/db" }
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "shipit.toml").write_text(PROJECT, encoding="utf-8")
    monkeypatch.delenv("SHIPIT_ENV", raising=False)
    return tmp_path


def test_show_merges_the_overlay_and_redacts(project: Path) -> None:
    result = run_cli(["config", "show", "--env", "dev"], cwd=project)
    assert result.exit_code == EXIT_OK, result.stderr
    lines = result.stdout.splitlines()
    assert 'cluster = "demo-dev"' in lines
    assert 'container = "app"' in lines  # from the base
    assert 'LOG_LEVEL = "debug"' in lines  # the overlay wins
    assert 'DATABASE_URL = "postgresql://demo:***@db-dev:5432/demo"' in lines
    assert 'API_TOKEN = "***"' in lines
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:demo/dev/db"
    assert f'DB_PASSWORD = "{arn}"' in lines
    assert "devpass" not in result.stdout + result.stderr
    assert "plain-token-value" not in result.stdout + result.stderr


def test_show_json_is_one_document(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHIPIT_ENV", "prod")
    result = run_cli(["--json", "config", "show"], cwd=project)
    assert result.exit_code == EXIT_OK
    doc = result.json()
    assert (doc["ok"], doc["env"], doc["sources"]) == (True, "prod", ["shipit.toml", "[env.prod]"])
    settings = doc["settings"]
    assert settings["ecs"] == {
        "cluster": "demo-prod", "service": "demo-prod", "container": "app", "desired_count": 3,
    }  # fmt: skip
    assert settings["vars"]["API_TOKEN"] == "***"
    assert settings["http"]["health_path"] == "/api/health"  # defaults are shown
    assert "prodpass" not in result.stdout


def test_show_base_without_environment(project: Path) -> None:
    result = run_cli(["config", "show", "--json"], cwd=project)
    assert result.exit_code == EXIT_OK
    assert result.json()["env"] is None
    assert result.json()["settings"]["ecs"]["cluster"] is None


def test_diff_prints_exactly_the_differing_keys(project: Path) -> None:
    result = run_cli(["config", "diff", "dev", "prod"], cwd=project)
    assert result.exit_code == EXIT_OK
    keys = [line.split()[0] for line in result.stdout.splitlines()[1:]]
    assert keys == [
        "ecs.cluster", "ecs.desired_count", "ecs.service", "secrets.DB_PASSWORD",
        "vars.API_TOKEN", "vars.DATABASE_URL", "vars.LOG_LEVEL",
    ]  # fmt: skip
    assert result.stdout.splitlines()[0].split() == ["key", "dev", "prod"]
    assert "prodpass" not in result.stdout
    assert "plain-token-value" not in result.stdout


def test_diff_json_has_both_values(project: Path) -> None:
    result = run_cli(["config", "diff", "prod", "dev", "--json"], cwd=project)
    assert result.exit_code == EXIT_OK
    doc = result.json()
    assert (doc["a"], doc["b"]) == ("prod", "dev")
    by_key = {row["key"]: (row["a"], row["b"]) for row in doc["differences"]}
    assert by_key["ecs.desired_count"] == (3, 1)
    assert by_key["vars.LOG_LEVEL"] == ("info", "debug")
    assert by_key["vars.API_TOKEN"] == ("***", "***")  # differs, but never shown
    assert len(by_key) == 7


def test_diff_of_an_environment_with_itself_is_empty(project: Path) -> None:
    result = run_cli(["config", "diff", "dev", "dev"], cwd=project)
    assert (result.exit_code, result.stdout) == (EXIT_OK, "")
    assert "0 key(s) differ" in result.stderr


def test_diff_unknown_environment(project: Path) -> None:
    result = run_cli(["--json", "config", "diff", "dev", "qa"], cwd=project)
    assert result.exit_code == EXIT_USAGE
    assert result.json()["error"]["kind"] == "unknown-env"


def test_validate_ok(project: Path) -> None:
    result = run_cli(["--json", "config", "validate"], cwd=project)
    assert result.exit_code == EXIT_OK
    assert result.json()["environments"] == ["dev", "prod"]


def test_validate_reports_key_and_line(project: Path) -> None:
    path = project / "shipit.toml"
    path.write_text(PROJECT.replace("desired_count = 3", "desired_count = 3, sevice = 'x'"))
    result = run_cli(["config", "validate"], cwd=project)
    assert result.exit_code == EXIT_USAGE
    assert f"{path}:19 [env.prod.ecs.sevice]: unknown key 'sevice'" in result.stderr
    result = run_cli(["--json", "config", "validate"], cwd=project)
    error = result.json()["error"]
    assert (error["kind"], error["key"], error["line"]) == ("config", "env.prod.ecs.sevice", 19)


def test_validate_aws_finds_the_secrets(project: Path, aws_env: MotoServer) -> None:
    client = boto3.client("secretsmanager")
    arn = client.create_secret(Name="demo/dev/db", SecretString="s3cr3t")["ARN"]
    (project / "shipit.toml").write_text(PROJECT.replace(
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:demo/dev/db", arn))
    result = run_cli(["--env", "dev", "--json", "config", "validate", "--aws"], cwd=project)
    assert result.exit_code == EXIT_OK, result.stderr
    assert result.json()["secrets"] == [
        {"name": "DB_PASSWORD", "arn": arn, "service": "secretsmanager", "region": "us-east-1",
         "found": True},
    ]  # fmt: skip
    assert "s3cr3t" not in result.stdout + result.stderr


def test_validate_aws_missing_secret_is_exit_3(project: Path, aws_env: MotoServer) -> None:
    result = run_cli(["--env", "prod", "config", "validate", "--aws", "--json"], cwd=project)
    assert result.exit_code == EXIT_ENVIRONMENT
    error = result.json()["error"]
    assert error["kind"] == "not-found"
    assert "DB_PASSWORD" in error["message"]
    assert "does not exist" in result.stderr


def test_validate_aws_ssm_parameter(project: Path, aws_env: MotoServer) -> None:
    boto3.client("ssm").put_parameter(Name="/demo/dev/db", Value="x", Type="SecureString")
    arn = "arn:aws:ssm:us-east-1:123456789012:parameter/demo/dev/db"
    (project / "shipit.toml").write_text(PROJECT.replace(
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:demo/dev/db", arn))
    result = run_cli(["--env", "dev", "--json", "config", "validate", "--aws"], cwd=project)
    assert result.exit_code == EXIT_OK, result.stderr
    assert result.json()["secrets"][0]["found"] is True


def test_whoami_against_moto(project: Path, aws_env: MotoServer) -> None:
    result = run_cli(["--json", "whoami"], cwd=project)
    assert result.exit_code == EXIT_OK, result.stderr
    identity = result.json()["identity"]
    assert identity["account"] == "123456789012"
    assert identity["endpoint"] == aws_env.url
    assert (identity["region"], identity["region_source"]) == ("us-east-1", "aws.region")
    human = run_cli(["whoami"], cwd=project)
    assert "account      123456789012" in human.stdout
    assert json.dumps(identity)  # serialisable


def test_whoami_outside_a_project(tmp_path: Path, aws_env: MotoServer) -> None:
    result = run_cli(["--json", "whoami"], cwd=tmp_path)
    assert result.exit_code == EXIT_OK, result.stderr
    assert result.json()["identity"]["region_source"] == "AWS_REGION"


def test_whoami_with_an_unknown_env_outside_a_project(tmp_path: Path, aws_env: MotoServer) -> None:
    result = run_cli(["--env", "prod", "whoami"], cwd=tmp_path)
    assert result.exit_code == EXIT_USAGE
    assert "no shipit.toml" in result.stderr
