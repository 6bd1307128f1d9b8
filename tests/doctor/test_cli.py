"""`shipit doctor` as CI runs it: the JSON contract, check selection, listing, exit codes."""

from __future__ import annotations

from shipit.doctor.checks import IDS
from tests.fixtures.cli import run_cli
from tests.fixtures.reference_stack import ReferenceStack

STATUSES = ["pass", "warn", "fail", "skip", "error"]


def test_json_contract(reference_stack: ReferenceStack) -> None:
    reference_stack.client("logs").delete_log_group(logGroupName=reference_stack.names.log_group)
    result = run_cli(["--env", "test", "doctor", "--json"], cwd=reference_stack.root)
    document = result.json()
    assert result.exit_code == 1
    assert list(document) == ["env", "checks", "summary"]
    assert document["env"] == "test"
    assert [check["id"] for check in document["checks"]] == list(IDS)
    for check in document["checks"]:
        # The first five keys are the contract since v1; hop and component came with v2.
        assert list(check) == ["id", "status", "summary", "detail", "fix", "hop", "component"]
        assert check["status"] in STATUSES
        assert isinstance(check["summary"], str)
        assert check["summary"]
        assert isinstance(check["detail"], str)
        assert check["fix"] is None or isinstance(check["fix"], str)
    assert list(document["summary"]) == STATUSES
    assert document["summary"]["fail"] == 1
    assert sum(document["summary"].values()) == len(IDS)
    logs = next(c for c in document["checks"] if c["id"] == "ecs.logs")
    assert "aws logs create-log-group" in logs["fix"]
    hops = {c["id"]: c["hop"] for c in document["checks"] if c["id"].startswith("net.")}
    assert hops == {
        "net.internet_to_alb": "internet -> ALB", "net.alb_to_task": "ALB -> task",
        "net.task_to_aws": "task -> AWS services", "net.task_to_db": "task -> database",
    }


def test_selected_checks_only(reference_stack: ReferenceStack) -> None:
    result = run_cli(
        ["--json", "--env", "test", "doctor", "--check", "dns.alias", "--check", "ecs.ports"],
        cwd=reference_stack.root,
    )
    assert result.exit_code == 0
    assert [c["id"] for c in result.json()["checks"]] == ["ecs.ports", "dns.alias"]


def test_people_get_a_table_and_a_summary_line(reference_stack: ReferenceStack) -> None:
    result = run_cli(["--env", "test", "doctor"], cwd=reference_stack.root)
    assert result.exit_code == 0
    for check_id in IDS:
        assert check_id in result.stdout
    assert f"{len(IDS)} pass" in result.stdout


def test_unknown_check_is_a_usage_error(reference_stack: ReferenceStack) -> None:
    result = run_cli(["--env", "test", "doctor", "--check", "ecs.nope"], cwd=reference_stack.root)
    assert result.exit_code == 2
    assert "unknown check ecs.nope" in result.stderr
    assert "--list-checks" in result.stderr


def test_list_checks_needs_no_aws(tmp_path: object) -> None:
    result = run_cli(["doctor", "--list-checks", "--json"])
    assert result.exit_code == 0
    assert [c["id"] for c in result.json()["checks"]] == list(IDS)
