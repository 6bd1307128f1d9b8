"""The pure path judgements: network ACLs in rule order with port ranges, routes by longest
prefix, security groups by group, prefix list or CIDRs that together hold the peer."""

from __future__ import annotations

import pytest

from shipit.aws.ec2 import AclEntry, NetworkAcl, Route, RouteTable, Rule, Subnet
from shipit.doctor import paths
from tests.doctor import snapshots as snap

WORLD = "0.0.0.0/0"


def acl(*entries: AclEntry) -> NetworkAcl:
    return NetworkAcl("acl-x", "vpc-1", ("subnet-a",), entries)


def allow(number: int, ports: tuple[int, int], cidr: str = WORLD, egress: bool = False,
          protocol: str = "6") -> AclEntry:
    return AclEntry(number, egress, protocol, ports[0], ports[1], cidr, True)


def deny(number: int, ports: tuple[int, int], cidr: str = WORLD, egress: bool = False) -> AclEntry:
    return AclEntry(number, egress, "6", ports[0], ports[1], cidr, False)


ACL_CASES = [
    # (entries, ports, peer, allowed, deciding rule number or None, partial rule number)
    ((allow(100, (443, 443)),), (443, 443), WORLD, True, None, None),
    ((allow(100, (443, 443)),), (80, 80), WORLD, False, None, None),
    ((deny(90, (443, 443)), allow(100, (0, 65535))), (443, 443), WORLD, False, 90, None),
    ((allow(80, (443, 443)), deny(90, (443, 443))), (443, 443), WORLD, True, None, None),
    # a range is allowed only when every port of it is
    ((allow(100, (32768, 65535)),), (1024, 65535), WORLD, False, None, None),
    ((allow(100, (1024, 40000)), allow(110, (40001, 65535))), (1024, 65535), WORLD, True, None,
     None),
    ((allow(100, (1024, 40000)), deny(110, (30000, 65535))), (1024, 65535), WORLD, False, 110,
     None),
    # a rule for a CIDR inside the peer decides only part of it
    ((allow(100, (443, 443), "10.0.0.0/8"),), (443, 443), WORLD, False, None, None),
    ((deny(90, (443, 443), "198.51.100.0/24"), allow(100, (443, 443))), (443, 443), WORLD, True,
     None, 90),
    ((allow(100, (443, 443), "10.0.0.0/16"),), (443, 443), "10.0.1.0/24", True, None, None),
    # udp rules do not apply to tcp; "-1" (all) does; egress rules do not apply to ingress
    ((allow(100, (443, 443), protocol="17"),), (443, 443), WORLD, False, None, None),
    ((allow(100, (0, 65535), protocol="-1"),), (443, 443), WORLD, True, None, None),
    ((allow(100, (443, 443), egress=True),), (443, 443), WORLD, False, None, None),
]


@pytest.mark.parametrize(("entries", "ports", "peer", "allowed", "rule", "partial"), ACL_CASES)
def test_acl_allows(entries: tuple[AclEntry, ...], ports: tuple[int, int], peer: str,
                    allowed: bool, rule: int | None, partial: int | None) -> None:
    result = paths.acl_allows(acl(*entries), egress=False, ports=ports, peer=peer)
    assert result.allowed is allowed
    assert (result.entry.number if result.entry else None) == rule
    assert (result.partial.number if result.partial else None) == partial


def test_acl_flow_checks_request_and_replies_in_both_subnets() -> None:
    client = Subnet("subnet-a", "vpc-1", "10.0.1.0/24")
    server = Subnet("subnet-db", "vpc-1", "10.0.2.0/24")
    no_replies = NetworkAcl("acl-db", "vpc-1", ("subnet-db",), (
        allow(100, (5432, 5432), "10.0.1.0/24"),
    ))
    network = snap.network(acls=(replace_subnets(snap.OPEN_ACL, ("subnet-a",)), no_replies))
    blocks = paths.acl_flow(network, paths.place(client), paths.place(server), 5432,
                            paths.EPHEMERAL_LINUX)
    assert [b.component for b in blocks] == ["acl-db rule *"]
    assert "replies subnet-db -> subnet-a" in blocks[0].summary
    same = paths.acl_flow(network, paths.place(client), paths.place(client), 5432,
                          paths.EPHEMERAL_LINUX)
    assert same == []  # inside one subnet no ACL applies


def replace_subnets(original: NetworkAcl, subnets: tuple[str, ...]) -> NetworkAcl:
    return NetworkAcl(original.id, original.vpc_id, subnets, original.entries)


def test_longest_prefix_route_wins_and_main_table_is_the_fallback() -> None:
    table = RouteTable("rtb-1", "vpc-1", ("subnet-a",), False, (
        Route("10.0.0.0/16", "local"), Route("0.0.0.0/0", "nat-1"),
        Route("10.50.0.0/16", "pcx-1"),
    ))
    assert paths.route(table, "10.50.1.0/24") == Route("10.50.0.0/16", "pcx-1")
    assert paths.route(table, "10.0.2.0/24") == Route("10.0.0.0/16", "local")
    assert paths.route(table, WORLD) == Route("0.0.0.0/0", "nat-1")
    network = snap.network()
    assert paths.route_table(network, "subnet-db").id == "rtb-main"  # type: ignore[union-attr]
    assert paths.route_table(network, "subnet-a").id == "rtb-tasks"  # type: ignore[union-attr]


def test_security_group_cidr_rules_must_together_hold_every_peer() -> None:
    a, b = "10.0.1.0/24", "10.0.2.0/24"
    split = [Rule("tcp", 5432, 5432, cidr=a), Rule("tcp", 5432, 5432, cidr=b)]
    assert paths.sg_allows(split, 5432, cidrs=[a, b]) == split[0]
    assert paths.sg_allows(split[:1], 5432, cidrs=[a, b]) is None
    assert paths.sg_allows(split, 5433, cidrs=[a]) is None
    by_group = [Rule("tcp", 5432, 5432, group_id="sg-tasks")]
    assert paths.sg_allows(by_group, 5432, groups=["sg-tasks"], cidrs=[a]) == by_group[0]
    by_list = [Rule("tcp", 443, 443, prefix_list_id="pl-s3")]
    assert paths.sg_allows(by_list, 443, prefix_lists=["pl-s3"]) == by_list[0]
