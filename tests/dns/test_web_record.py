"""`shipit dns` also aliases the frontend's name (web.name) to its bucket's S3 website endpoint,
through the one library entry (shipit.dns.run) that the demo calls too."""

from __future__ import annotations

from typing import Any

from tests.fixtures.cli import CliResult, run_cli
from tests.fixtures.reference_stack import ReferenceStack


def _with_web(stack: ReferenceStack) -> str:
    name = f"app.{stack.names.zone}"
    stack.write_config()
    with stack.config_path.open("a", encoding="utf-8") as config:
        config.write(f'\n[env.test.web]\nname = "{name}"\nbucket = "{name}"\n')
    return name


def _dns(stack: ReferenceStack, *args: str) -> CliResult:
    return run_cli(["--env", "test", "--json", "dns", *args], cwd=stack.root)


def _web_records(stack: ReferenceStack, name: str) -> list[dict[str, Any]]:
    answer = stack.client("route53").list_resource_record_sets(
        HostedZoneId=stack.ids["hosted_zone_id"])["ResourceRecordSets"]
    return [r for r in answer if r["Name"].rstrip(".") == name]


def test_the_frontend_alias_is_planned_made_then_left_alone(
        reference_stack: ReferenceStack) -> None:
    name = _with_web(reference_stack)

    dry = _dns(reference_stack, "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert (dry.json()["web"]["changed"], dry.json()["web"]["dry_run"]) == (False, True)
    assert _web_records(reference_stack, name) == []

    made = _dns(reference_stack)
    assert made.exit_code == 0, made.stderr
    assert made.json()["web"]["changed"] is True
    (record,) = _web_records(reference_stack, name)
    assert record["Type"] == "A"
    assert record["AliasTarget"]["DNSName"].rstrip(".") == "s3-website-us-east-1.amazonaws.com"

    again = _dns(reference_stack)
    assert again.exit_code == 0, again.stderr
    assert again.json()["web"]["changed"] is False
    assert "frontend: no change" in again.stderr


def test_without_web_name_there_is_no_frontend_record(reference_stack: ReferenceStack) -> None:
    reference_stack.write_config()
    result = _dns(reference_stack, "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.json()["web"] is None
