"""Each failure class, deployed for real on the sandbox: exit 1, the classified reason and its
hint, and the previous revision still serving (the health URL still 200).

The failure cases share one sandbox (``failing``): each leaves the service as it found it
(revision 1 serving after ECS's rollback; sandbox.toml and the health check put back by the
fixture), so a case cannot pass on what another left behind. Tests that deploy a revision that
works have a sandbox of their own."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.fixtures.sandbox import Sandbox

FOREIGN_DIGEST = "sha256:" + "ab" * 32
_TAGS = itertools.count(1)


@dataclass(frozen=True)
class Case:
    kind: str
    prepare: Callable[[Sandbox], list[str]]
    """Breaks the next deploy; returns the deploy's arguments."""
    in_title: str
    in_hint: str
    in_logs: str | None = None


def _new_tag(box: Sandbox, platforms: tuple[str, ...] = ("linux/amd64", "linux/arm64")) -> str:
    """A tag of its own in the sandbox's ECR (tags are immutable there, the sandbox is shared)."""
    tag = f"case-{next(_TAGS)}"
    box.put_image(tag, platforms)
    return tag


def _pull(box: Sandbox) -> list[str]:
    return ["--image", f"ghcr.io/acme/articles@{FOREIGN_DIGEST}"]


def _platform(box: Sandbox) -> list[str]:
    return ["--tag", _new_tag(box, ("linux/arm64",))]


def _crash(box: Sandbox) -> list[str]:
    box.set_vars(DATABASE_URL="postgresql://articles@127.0.0.1:1/articles",
                 DB_STARTUP_TIMEOUT="0")
    return ["--tag", _new_tag(box)]


def _health(box: Sandbox) -> list[str]:
    box.quick_health_checks()
    box.set_vars(PORT="9000")  # the app listens on 9000; the target group checks 8000
    return ["--tag", _new_tag(box)]


def _no_database_url(box: Sandbox) -> list[str]:
    box.set_vars(DATABASE_URL=None)
    return ["--tag", _new_tag(box)]


def _missing_secret(box: Sandbox) -> list[str]:
    text = box.env_file.read_text(encoding="utf-8")
    missing = "arn:aws:secretsmanager:us-east-1:123456789012:secret:articles/sandbox/nope-AbCdEf"
    lines = [f'DB_PASSWORD = "{missing}"' if ln.startswith("DB_PASSWORD") else ln
             for ln in text.splitlines()]
    box.env_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ["--tag", _new_tag(box)]


CASES = [
    pytest.param(Case("pull", _pull, "could not be pulled", "ECR repository"), id="pull"),
    pytest.param(Case("platform", _platform, "exec format error", "linux/amd64"),
                 id="exec-format"),
    pytest.param(Case("crash", _crash, "exited with code 1", "log lines",
                      in_logs="start-up failed"), id="crash-at-start"),
    pytest.param(Case("health", _health, "health checks", "container port"),
                 id="health-check"),
    pytest.param(Case("config", _no_database_url, "DATABASE_URL", "set DATABASE_URL",
                      in_logs="configuration error: DATABASE_URL"), id="database-url-missing"),
    pytest.param(Case("secret", _missing_secret, "secret", "execution role may read it"),
                 id="missing-secret"),
]


def _health_check(box: Sandbox) -> tuple[dict[str, Any], int]:
    group = box.client("elbv2").describe_target_groups(
        TargetGroupArns=[box.stack["target_group_arn"]])["TargetGroups"][0]
    keys = ("HealthCheckIntervalSeconds", "HealthCheckTimeoutSeconds", "UnhealthyThresholdCount")
    return {k: group[k] for k in keys}, int(box.describe_service()["healthCheckGracePeriodSeconds"])


@pytest.fixture
def failing(shared_sandbox: Sandbox) -> Iterator[Sandbox]:
    """The module's sandbox serving revision 1; sandbox.toml and the health check put back."""
    box = shared_sandbox
    env_file = box.env_file.read_text(encoding="utf-8")
    group, grace = _health_check(box)
    assert box.running_revisions() == {1}
    try:
        yield box
    finally:
        box.env_file.write_text(env_file, encoding="utf-8")
        if _health_check(box) != (group, grace):
            box.client("elbv2").modify_target_group(
                TargetGroupArn=box.stack["target_group_arn"], **group)
            box.client("ecs").update_service(cluster=box.cluster, service=box.service,
                                             healthCheckGracePeriodSeconds=grace)


@pytest.mark.parametrize("case", CASES)
def test_failed_deploy_is_classified_and_the_previous_revision_keeps_serving(
    failing: Sandbox, case: Case
) -> None:
    sandbox = failing
    next_revision = len(sandbox.revisions()) + 1
    result = sandbox.cli("--json", "deploy", *case.prepare(sandbox))

    assert result.exit_code == 1, result.stderr
    receipt = result.json()
    # Fail-fast usually wins; when ECS's circuit breaker is quicker the verdict says so.
    assert receipt["outcome"] in ("failed", "rolled-back")
    assert receipt["revision"] == next_revision
    failure = receipt["failure"]
    assert failure["kind"] == case.kind, failure
    assert case.in_title in failure["title"]
    assert case.in_hint in failure["hint"]
    assert failure["hint"] in result.stderr.replace("\n  ", " ") or "hint:" in result.stderr
    if case.in_logs:
        assert any(case.in_logs in line for line in receipt["last_log_lines"])
    assert 1 in sandbox.running_revisions()
    assert sandbox.health() == 200

    # ECS's circuit breaker then rolls the service back, as on AWS.
    def rolled_back() -> bool:
        deployments = sandbox.describe_service()["deployments"]
        primary = deployments[0]
        return bool(primary["taskDefinition"].endswith(":1")) and (
            primary["rolloutState"] == "COMPLETED")

    sandbox.wait_until("the circuit breaker rolls back", rolled_back, limit=180)
    messages = [e["message"] for e in sandbox.describe_service()["events"]]
    deployment = receipt["deployment_id"]
    assert any(f"(deployment {deployment}) deployment failed: tasks failed to start." in m
               for m in messages)
    assert any("rolling back to deployment" in m for m in messages)
    assert sandbox.running_revisions() == {1}
    assert sandbox.health() == 200


def test_rollback_on_failure_puts_the_previous_revision_back(failing: Sandbox) -> None:
    sandbox = failing
    result = sandbox.cli("--json", "deploy", "--rollback-on-failure", *_platform(sandbox))

    assert result.exit_code == 1
    receipt = result.json()
    assert receipt["outcome"] in ("failed", "rolled-back")
    assert receipt["rolled_back_to"].endswith(":1")
    service = sandbox.describe_service()
    assert service["taskDefinition"].endswith(":1")
    assert service["deployments"][0]["rolloutState"] == "COMPLETED"
    assert sandbox.running_revisions() == {1}
    assert sandbox.health() == 200


def test_rollback_command_returns_to_the_previous_revision(sandbox: Sandbox) -> None:
    sandbox.put_image("v2")
    assert sandbox.cli("deploy", "--tag", "v2").exit_code == 0
    assert sandbox.running_revisions() == {2}

    sandbox.put_image("v3")  # the same image again would be "unchanged": no revision 3
    assert sandbox.cli("deploy", "--tag", "v3").exit_code == 0
    assert sandbox.running_revisions() == {3}

    result = sandbox.cli("--json", "rollback")

    assert result.exit_code == 0, result.stderr
    assert result.json()["revision"] == 2
    assert sandbox.running_revisions() == {2}

    result = sandbox.cli("--json", "rollback", "--to", "1")

    assert result.exit_code == 0, result.stderr
    assert result.json()["revision"] == 1
    assert sandbox.describe_service()["taskDefinition"].endswith(":1")
    assert sandbox.running_revisions() == {1}
    assert sandbox.health() == 200


def test_a_task_over_its_memory_is_killed_and_classified_oom(sandbox: Sandbox) -> None:
    from shipit.deploy.taskdef import registration_input

    ecs = sandbox.client("ecs")
    current = ecs.describe_task_definition(taskDefinition="articles-sandbox:1")["taskDefinition"]
    small = registration_input(current)
    small["containerDefinitions"][0]["memory"] = 16  # MiB: less than Python needs to start
    ecs.register_task_definition(**small)

    result = sandbox.cli("--json", "rollback", "--to", "2")

    assert result.exit_code == 1
    failure = result.json()["failure"]
    assert failure["kind"] == "oom"
    assert "memory" in failure["hint"]
    assert 1 in sandbox.running_revisions()
    assert sandbox.health() == 200
