"""The overlay writer (tomlkit: bytes outside the table kept) and the service choice in CI."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest

from shipit.adopt.model import Ambiguous
from shipit.adopt.overlay import diff, with_overlay
from shipit.errors import EXIT_USAGE, UsageError
from tests.fixtures.cli import run_cli
from tests.fixtures.moto import MotoServer

BEFORE = """# top comment
project = "articles"   # trailing comment

[aws]
region = "us-east-1"

[env.a]
# a's own comment
ecs = { cluster = "old" }

[env.b]  # b stays
ecs = { cluster = "b" }
"""


def test_a_new_environment_is_appended_and_every_byte_before_it_kept() -> None:
    after = with_overlay(BEFORE, "c", {"ecs": {"cluster": "new", "desired_count": 2},
                                       "vars": {"A": "1"}}, force=False, where="t")
    assert after.startswith(BEFORE)
    assert after[len(BEFORE):] == (
        '\n[env.c]\necs = {cluster = "new", desired_count = 2}\nvars = {A = "1"}\n')


def test_a_file_without_environments_gets_its_first() -> None:
    text = '[aws]\nregion = "us-east-1"\n'
    after = with_overlay(text, "x", {"ecs": {"cluster": "c"}}, force=False, where="t")
    assert after.startswith(text)
    assert "[env.x]" in after


def test_an_existing_environment_needs_force_and_only_it_changes() -> None:
    with pytest.raises(UsageError, match="'a' already exists"):
        with_overlay(BEFORE, "a", {}, force=False, where="shipit.toml")
    after = with_overlay(BEFORE, "a", {"ecs": {"cluster": "new"}}, force=True, where="t")
    head = BEFORE.split("[env.a]")[0]
    tail = BEFORE[BEFORE.index("[env.b]"):]
    assert after.startswith(head)
    assert after.endswith(tail)
    assert 'cluster = "new"' in after
    assert 'cluster = "old"' not in after


def test_the_diff_hides_passwords_in_urls() -> None:
    after = with_overlay(BEFORE, "c", {"vars": {"DATABASE_URL": "postgresql://u:hunter2@h/db"}},
                         force=False, where="t")
    shown = diff(Path("shipit.toml"), BEFORE, after)
    assert "+[env.c]" in shown
    assert "hunter2" not in shown
    assert "postgresql://u:***@h/db" in shown


def test_several_services_exit_2_listing_them(aws_env: MotoServer, tmp_path: Path) -> None:
    ecs = boto3.client("ecs")
    ecs.register_task_definition(family="web", containerDefinitions=[
        {"name": "app", "image": "nginx", "memory": 256}])
    for cluster, service in (("blue", "api"), ("green", "worker")):
        ecs.create_cluster(clusterName=cluster)
        ecs.create_service(cluster=cluster, serviceName=service, taskDefinition="web",
                           desiredCount=1)
    config = tmp_path / "shipit.toml"
    config.write_text('project = "x"\n\n[aws]\nregion = "us-east-1"\n', encoding="utf-8")

    result = run_cli(["--config", str(config), "init", "--from-aws", "--env", "adopted",
                      "--yes"], cwd=tmp_path)

    assert result.exit_code == EXIT_USAGE
    assert "cannot choose the ECS service: 2 services in us-east-1" in result.stderr
    assert "blue/api" in result.stderr
    assert "green/worker" in result.stderr
    assert "--cluster C --service S" in result.stderr
    assert config.read_text(encoding="utf-8") == 'project = "x"\n\n[aws]\nregion = "us-east-1"\n'
    assert issubclass(Ambiguous, UsageError)
