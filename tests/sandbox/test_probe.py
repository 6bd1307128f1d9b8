"""`shipit probe` on the sandbox: a one-off task (RunTask) from the service's own task definition
checks the database and the AWS endpoints from where the service runs, and says which failed."""

from __future__ import annotations

import subprocess
from typing import Any

from tests.fixtures.sandbox import Sandbox

EXPECTED = {"database", "ecr-api", "ecr-registry", "s3", "logs", "secretsmanager"}


def psql(sql: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qAtc", sql],
                   check=True, capture_output=True, timeout=30)


def stopped_task(box: Sandbox, arn: str) -> dict[str, Any]:
    tasks = box.client("ecs").describe_tasks(cluster=box.cluster, tasks=[arn])["tasks"]
    return dict(tasks[0])


def test_probe_reaches_everything_then_names_the_database_when_it_cannot(
    sandbox: Sandbox,
) -> None:
    result = sandbox.cli("--json", "probe", "--url", f"{sandbox.url}/api/health")

    assert result.exit_code == 0, result.stderr
    report = result.json()
    assert {r["target"] for r in report["results"]} == EXPECTED | {"url"}
    assert all(r["ok"] for r in report["results"]), report["results"]
    database = next(r for r in report["results"] if r["target"] == "database")
    assert database["steps"] == ["dns", "tcp", "login", "query"]
    assert report["exit_code"] == 0
    task = stopped_task(sandbox, report["task_arn"])
    assert task["lastStatus"] == "STOPPED"
    assert task["startedBy"] == "shipit-probe"
    assert report["task"] not in sandbox.state_now().task_pids  # no process left behind
    logs = sandbox.cli("logs", "--task", report["task"], "--since", "5m")
    assert logs.exit_code == 0, logs.stderr
    assert "one-off task (RunTask)" in logs.stdout
    assert "probe --tcp ecr-api=" in logs.stdout
    assert 'shipit-probe {"target": "database", "ok": true' in logs.stdout
    assert sandbox.health() == 200  # the service never noticed

    database_name = sandbox.state_now().database.rsplit("/", 1)[-1]  # type: ignore[union-attr]
    psql(f'ALTER DATABASE "{database_name}" WITH ALLOW_CONNECTIONS false')
    try:
        failed = sandbox.cli("--json", "probe")
    finally:
        psql(f'ALTER DATABASE "{database_name}" WITH ALLOW_CONNECTIONS true')

    assert failed.exit_code == 1
    results = {r["target"]: r for r in failed.json()["results"]}
    assert results["database"]["ok"] is False
    assert results["database"]["failed_step"] == "login"
    assert "not currently accepting connections" in results["database"]["error"]
    assert all(r["ok"] for name, r in results.items() if name != "database")
    human = sandbox.cli("probe")
    assert human.exit_code == 0  # connections allowed again
    assert "ok    database" in human.stdout
