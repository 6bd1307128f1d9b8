"""`shipit dns` against the moto server: create, no change, refusal, --force, dualstack."""

from __future__ import annotations

from typing import Any

import pytest

from shipit.aws.route53 import HostedZone, pick_zone, wait_insync
from shipit.errors import Failed
from tests.fixtures.cli import CliResult, run_cli
from tests.fixtures.reference_stack import ReferenceStack


def dns(stack: ReferenceStack, *args: str) -> CliResult:
    return run_cli(["--env", "test", "--json", "dns", *args], cwd=stack.root)


def records(stack: ReferenceStack) -> dict[str, dict[str, Any]]:
    answer = stack.client("route53").list_resource_record_sets(
        HostedZoneId=stack.ids["hosted_zone_id"]
    )["ResourceRecordSets"]
    return {r["Type"]: r for r in answer if r["Name"].rstrip(".") == stack.names.dns_name}


def set_record(stack: ReferenceStack, action: str, record: dict[str, Any]) -> None:
    stack.client("route53").change_resource_record_sets(
        HostedZoneId=stack.ids["hosted_zone_id"],
        ChangeBatch={"Changes": [{"Action": action, "ResourceRecordSet": record}]},
    )


def remove_alias(stack: ReferenceStack) -> None:
    set_record(stack, "DELETE", records(stack)["A"])


def test_creates_the_alias_then_says_no_change(reference_stack: ReferenceStack) -> None:
    remove_alias(reference_stack)
    first = dns(reference_stack)
    assert first.exit_code == 0, first.stderr
    created = first.json()
    assert created["changed"] is True
    assert created["types"] == ["A"]
    assert created["probe"]["status"] == 200
    assert "via 127.0.0.1" in created["probe"]["via"]
    alias = records(reference_stack)["A"]["AliasTarget"]
    assert alias["DNSName"].rstrip(".").endswith(".elb.amazonaws.com")
    assert alias["EvaluateTargetHealth"] is True
    second = dns(reference_stack)
    assert second.exit_code == 0
    assert second.json()["changed"] is False
    assert "no change" in second.stderr


def test_dry_run_changes_nothing(reference_stack: ReferenceStack) -> None:
    remove_alias(reference_stack)
    result = dns(reference_stack, "--dry-run")
    assert result.exit_code == 0
    assert result.json()["dry_run"] is True
    assert "A alias ->" in result.stderr
    assert records(reference_stack) == {}


@pytest.mark.parametrize("kind", ["CNAME", "A"])
def test_refuses_to_replace_a_record_that_is_not_an_alias(
    reference_stack: ReferenceStack, kind: str
) -> None:
    remove_alias(reference_stack)
    value = "old-alb.example.net" if kind == "CNAME" else "203.0.113.7"
    plain = {"Name": reference_stack.names.dns_name, "Type": kind, "TTL": 300,
             "ResourceRecords": [{"Value": value}]}
    set_record(reference_stack, "CREATE", plain)
    refused = dns(reference_stack)
    assert refused.exit_code == 1
    assert f"{kind} {value}" in refused.stderr
    assert "--force" in refused.stderr
    assert records(reference_stack)[kind]["ResourceRecords"] == [{"Value": value}]
    forced = dns(reference_stack, "--force")
    assert forced.exit_code == 0, forced.stderr
    now = records(reference_stack)
    assert "AliasTarget" in now["A"]
    assert "CNAME" not in now
    assert "300 s" in forced.json()["notes"][0]


def test_dualstack_alb_gets_a_and_aaaa(reference_stack: ReferenceStack) -> None:
    reference_stack.client("elbv2").set_ip_address_type(
        LoadBalancerArn=reference_stack.ids["load_balancer_arn"], IpAddressType="dualstack"
    )
    result = dns(reference_stack)
    assert result.exit_code == 0, result.stderr
    assert result.json()["types"] == ["A", "AAAA"]
    assert {"A", "AAAA"} <= set(records(reference_stack))
    assert "AliasTarget" in records(reference_stack)["AAAA"]
    doctor = run_cli(["--env", "test", "--json", "doctor", "--check", "dns.alias"],
                     cwd=reference_stack.root)
    assert doctor.json()["checks"][0]["status"] == "pass"


def test_a_name_outside_every_zone_is_not_found(reference_stack: ReferenceStack) -> None:
    result = dns(reference_stack, "--name", "api.elsewhere.example")
    assert result.exit_code == 3
    assert "no hosted zone holds api.elsewhere.example" in result.stderr


def test_longest_suffix_wins() -> None:
    zones = [HostedZone("Z1", "example.com", False), HostedZone("Z2", "api.example.com", False),
             HostedZone("Z3", "dev.example.com", True), HostedZone("Z4", "dev.example.com", False)]
    assert pick_zone(zones, "x.api.example.com") == zones[1]
    assert pick_zone(zones, "api.dev.example.com.") == zones[3]
    assert pick_zone(zones, "example.org") is None
    assert pick_zone(zones, "notexample.com") is None


class FakeRoute53:
    """get_change answers PENDING ``pending`` times, then INSYNC (stands in for the session
    and its route53 client)."""

    def __init__(self, pending: int) -> None:
        self.pending = pending

    def client(self, service: str) -> FakeRoute53:
        return self

    def get_change(self, Id: str) -> dict[str, Any]:
        self.pending -= 1
        return {"ChangeInfo": {"Status": "PENDING" if self.pending >= 0 else "INSYNC"}}


def test_wait_insync_polls_with_the_injected_clock() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    waited = wait_insync(FakeRoute53(3), "C1", clock=lambda: now[0], sleep=sleep,  # type: ignore[arg-type]
                         interval=2.0)
    assert (waited, slept) == (6.0, [2.0, 2.0, 2.0])
    with pytest.raises(Failed, match="still PENDING after 10 s"):
        wait_insync(FakeRoute53(99), "C2", clock=lambda: now[0], sleep=sleep,  # type: ignore[arg-type]
                    timeout=10.0, interval=2.0)
