"""Doctor's network hops on the moto reference stack: one fault per stack is caught by the right
hop, naming the blocking component, and nothing else fails; working alternatives pass."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from shipit.doctor.checks import IDS
from tests.doctor import network_faults as faults
from tests.doctor.test_broken_stacks import doctor, statuses
from tests.fixtures.reference_stack import ReferenceStack

Fault = Callable[[ReferenceStack], str]

FAULTS: list[tuple[str, Fault, str]] = [
    ("net.internet_to_alb", faults.alb_subnet_not_public, "fail"),
    ("net.internet_to_alb", faults.alb_route_to_detached_gateway, "fail"),
    ("net.internet_to_alb", faults.public_acl_denies_http, "fail"),
    ("net.internet_to_alb", faults.public_acl_denies_replies, "warn"),
    ("net.internet_to_alb", faults.alb_group_closed, "fail"),
    ("net.internet_to_alb", faults.alb_group_office_only, "warn"),
    ("net.internet_to_alb", faults.listener_fixed_response, "fail"),
    ("net.internet_to_alb", faults.listener_deleted, "fail"),
    ("net.alb_to_task", faults.alb_group_no_egress, "fail"),
    ("net.alb_to_task", faults.task_acl_denies_container_port, "fail"),
    ("net.alb_to_task", faults.task_acl_denies_replies_to_alb, "fail"),
    ("net.alb_to_task", faults.health_check_other_port, "fail"),
    ("net.task_to_aws", faults.task_route_removed, "fail"),
    ("net.task_to_aws", faults.nat_deleted, "fail"),
    ("net.task_to_aws", faults.task_group_only_database, "fail"),
    ("net.task_to_aws", faults.task_acl_denies_https, "fail"),
    ("net.task_to_aws", faults.public_subnet_without_public_ip, "fail"),
    ("net.task_to_aws", faults.logs_in_other_region, "fail"),
    ("net.task_to_aws", faults.endpoint_private_dns_off, "fail"),
    ("net.task_to_aws", faults.endpoint_group_closed, "fail"),
    ("net.task_to_db", faults.db_acl_denies_postgres, "fail"),
    ("net.task_to_db", faults.db_acl_no_replies, "fail"),
    ("net.task_to_db", faults.database_url_elsewhere, "fail"),
    ("net.task_to_db", faults.database_stopped, "fail"),
    ("net.task_to_db", faults.db_rule_by_wrong_cidr, "fail"),
    ("net.task_to_db", faults.database_in_other_vpc, "fail"),
    ("net.task_to_db", faults.peering_without_route_back, "fail"),
    ("net.task_to_db", faults.peering_not_accepted, "fail"),
]

WORKING: list[Callable[[ReferenceStack], None]] = [
    faults.endpoints_instead_of_nat,
    faults.public_subnet_with_public_ip,
    faults.db_rule_by_task_cidrs,
    faults.peered_database,
]


@pytest.mark.parametrize(("check_id", "fault", "expected"), FAULTS,
                         ids=[f.__name__ for _, f, _ in FAULTS])
def test_a_network_fault_is_named_by_its_hop_only(
    reference_stack: ReferenceStack, check_id: str, fault: Fault, expected: str
) -> None:
    component = fault(reference_stack)
    result = doctor(reference_stack)
    found = statuses(result)
    assert found[check_id] == expected, result.stdout
    others = {k: v for k, v in found.items() if k != check_id and v in ("fail", "error")}
    assert others == {}, result.stdout
    mine = next(c for c in result.json()["checks"] if c["id"] == check_id)
    assert mine["component"] == component, mine
    assert mine["hop"], mine
    if expected == "fail":
        assert mine["fix"], mine
    assert result.exit_code == (1 if expected == "fail" else 0)


@pytest.mark.parametrize("variant", WORKING, ids=[v.__name__ for v in WORKING])
def test_a_working_layout_passes_every_check(
    reference_stack: ReferenceStack, variant: Callable[[ReferenceStack], None]
) -> None:
    variant(reference_stack)
    result = doctor(reference_stack)
    assert statuses(result) == dict.fromkeys(IDS, "pass"), result.stdout
    assert result.exit_code == 0
