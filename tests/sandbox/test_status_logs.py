"""`shipit status` and `shipit logs` on the sandbox: a failed task shows up classified, and the
logs of a given task, filtered, and followed."""

from __future__ import annotations

import time

from shipit.aws.session import AwsSession, AwsTarget
from shipit.deploy.logview import LogQuery, follow_logs
from shipit.sandbox.control import sandbox_paths
from tests.fixtures.sandbox import Sandbox


def test_status_shows_a_failed_task_with_its_class(shared_sandbox: Sandbox) -> None:
    shared_sandbox.put_image("arm64-only", ("linux/arm64",))
    failed = shared_sandbox.cli("deploy", "--tag", "arm64-only")
    assert failed.exit_code == 1
    assert "reason       platform: the image has no build for the task's CPU" in failed.stdout
    assert "  fix        build for the task's runtimePlatform" in failed.stdout
    assert "✗ deploy" in failed.stderr

    report = shared_sandbox.cli("--json", "status").json()

    stopped = [t for t in report["tasks"] if t["last_status"] == "STOPPED"]
    assert stopped
    assert stopped[0]["failure"] == "platform"
    assert "exec format error" in stopped[0]["stopped_reason"]
    human = shared_sandbox.cli("status").stdout
    assert "[platform]" in human
    assert "deployments" in human


def test_logs_of_a_task_filtered(shared_sandbox: Sandbox) -> None:
    tasks = shared_sandbox.cli("--json", "status").json()["tasks"]
    running = next(t for t in tasks if t["last_status"] == "RUNNING")
    result = shared_sandbox.cli("--json", "logs", "--task", running["id"], "--filter",
                                "schema ready")
    assert result.exit_code == 0, result.stderr
    events = result.json()["events"]
    assert events
    assert all("schema ready" in e["message"] for e in events)
    assert {e["stream"] for e in events} == {f"ecs/app/{running['id']}"}


def test_logs_follow_yields_new_lines(shared_sandbox: Sandbox) -> None:
    aws = AwsSession(AwsTarget(region="us-east-1", endpoint_url=shared_sandbox.state.endpoint_url,
                               credentials_file=sandbox_paths(shared_sandbox.root)
                               .credentials_file))
    query = LogQuery("articles-sandbox", "articles-sandbox", "app", since=600)
    sleeps: list[float] = []
    lines = follow_logs(aws, query, clock=time.time, sleep=sleeps.append)
    first = next(lines)
    assert first.message.startswith("[sandbox] running sample_service from source")
    # A request through the ALB stand-in writes an access-log line; following shows it.
    assert shared_sandbox.health() == 200
    seen = next(e for e in lines if "/api/health" in e.message)
    assert "GET /api/health 200" in seen.message
