"""Can a TCP connection get from one place to another? Pure judgements over a read Network.

Each hop check asks the same three questions of every component on its path:

- route tables: the longest-prefix route for the destination, and where it leads;
- network ACLs: stateless, so the request (destination port) AND the return traffic
  (the client's ephemeral ports) must pass, rule by rule in number order, in both subnets;
- security groups: stateful, so only the request direction, by group id or by a CIDR that
  holds the whole peer.

A ``Block`` names the component that stops the packet, by id, with the one fix.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

from shipit.aws.ec2 import AclEntry, Network, NetworkAcl, Route, RouteTable, Rule, Subnet
from shipit.doctor.facts import Fact, Snapshot, Unavailable
from shipit.doctor.finding import Verdict

T = TypeVar("T")
WORLD = "0.0.0.0/0"
EPHEMERAL_ANY = (1024, 65535)
"""Return ports of clients doctor cannot know (browsers, the ALB's nodes, a NAT gateway)."""
EPHEMERAL_LINUX = (32768, 60999)
"""Return ports of a Fargate task's own connections (Linux ip_local_port_range)."""

BlockStatus = Literal["fail", "warn", "skip"]


@dataclass(frozen=True)
class Block:
    """One component on a hop that stops (fail), narrows (warn) or cannot be judged (skip)."""

    component: str
    summary: str
    fix: str | None = None
    status: BlockStatus = "fail"


@dataclass(frozen=True)
class Place:
    """One end of a connection: a subnet (with its CIDR), or the internet (subnet None)."""

    name: str
    cidr: str
    subnet: Subnet | None = None


def internet() -> Place:
    return Place("the internet", WORLD)


def place(subnet: Subnet) -> Place:
    return Place(subnet.id, subnet.cidr, subnet)


def seen(fact: Fact[T], what: str) -> T:
    """A fact a hop depends on; unread or unreadable is a skip saying why (a hop whose
    components cannot be seen is never a pass, nor blamed on the stack)."""
    try:
        return fact.need()
    except Unavailable as missing:
        prefix = f"{what} could not be read: " if missing.error else ""
        raise Unavailable(prefix + missing.reason) from None


def network_of(s: Snapshot) -> Network:
    return seen(s.network, "the network")


# -- addresses ------------------------------------------------------------------------------


def _net(cidr: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return None


def contains(outer: str, inner: str) -> bool:
    a, b = _net(outer), _net(inner)
    return a is not None and b is not None and a.version == b.version and b.subnet_of(a)  # type: ignore[arg-type]


def overlaps(a: str, b: str) -> bool:
    x, y = _net(a), _net(b)
    return x is not None and y is not None and x.version == y.version and x.overlaps(y)


# -- route tables -----------------------------------------------------------------------------


def route_table(network: Network, subnet_id: str) -> RouteTable | None:
    """The subnet's explicitly associated table, else its VPC's main table."""
    vpc = next((s.vpc_id for s in network.subnets if s.id == subnet_id), None)
    for table in network.route_tables:
        if subnet_id in table.subnet_ids:
            return table
    return next((t for t in network.route_tables if t.main and t.vpc_id == vpc), None)


def route(table: RouteTable, destination: str) -> Route | None:
    """The longest-prefix CIDR route that holds all of ``destination``."""
    fits = [r for r in table.routes if contains(r.destination, destination)]
    fits.sort(key=lambda r: _prefix(r.destination), reverse=True)
    return fits[0] if fits else None


def _prefix(cidr: str) -> int:
    net = _net(cidr)
    return net.prefixlen if net is not None else -1


def prefix_list_route(network: Network, table: RouteTable, service_suffix: str) -> Route | None:
    """A gateway-endpoint route (destination pl-...) for a service, e.g. ``.s3``."""
    names = dict(network.prefix_lists)
    for candidate in table.routes:
        if candidate.destination.startswith("pl-") and \
                names.get(candidate.destination, "").endswith(service_suffix):
            return candidate
    return None


def subnet(network: Network, subnet_id: str) -> Subnet | None:
    return next((s for s in network.subnets if s.id == subnet_id), None)


# -- network ACLs -----------------------------------------------------------------------------


def acl_of(network: Network, subnet_id: str) -> NetworkAcl | None:
    for acl in network.acls:
        if subnet_id in acl.subnet_ids:
            return acl
    return None


@dataclass(frozen=True)
class AclResult:
    allowed: bool
    entry: AclEntry | None = None
    """The deciding deny rule (None when no rule allows: the final '*' deny)."""
    partial: AclEntry | None = None
    """A deny rule that stops part of the peer's addresses while the rest pass."""


def _tcp(entry: AclEntry) -> bool:
    return entry.protocol in ("-1", "6", "tcp")


def acl_allows(acl: NetworkAcl, *, egress: bool, ports: tuple[int, int], peer: str) -> AclResult:
    """Whether every port in ``ports`` to/from every address of ``peer`` passes ``acl``."""
    undecided: list[tuple[int, int]] = [ports]
    partial: AclEntry | None = None
    for entry in acl.entries:
        if entry.egress != egress or not _tcp(entry) or not overlaps(entry.cidr, peer):
            continue
        hit = _intersect(undecided, (entry.from_port, entry.to_port))
        if not hit:
            continue
        if contains(entry.cidr, peer):
            if not entry.allow:
                return AclResult(False, entry)
            undecided = _subtract(undecided, (entry.from_port, entry.to_port))
        elif not entry.allow and partial is None:
            partial = entry  # only some peer addresses are denied; the rest go on
        if not undecided:
            return AclResult(True, partial=partial)
    return AclResult(False)


def _intersect(ranges: Sequence[tuple[int, int]], other: tuple[int, int]) -> bool:
    return any(low <= other[1] and other[0] <= high for low, high in ranges)


def _subtract(ranges: Sequence[tuple[int, int]], cut: tuple[int, int]) -> list[tuple[int, int]]:
    left: list[tuple[int, int]] = []
    for low, high in ranges:
        if cut[1] < low or high < cut[0]:
            left.append((low, high))
            continue
        if low < cut[0]:
            left.append((low, cut[0] - 1))
        if cut[1] < high:
            left.append((cut[1] + 1, high))
    return left


def _rule_name(acl: NetworkAcl, entry: AclEntry | None) -> str:
    rule = "*" if entry is None or entry.number >= 32767 else str(entry.number)
    return f"{acl.id} rule {rule}"


def _acl_fix(acl: NetworkAcl, egress: bool, ports: tuple[int, int], peer: str) -> str:
    direction = "--egress" if egress else "--ingress"
    return (f"aws ec2 create-network-acl-entry --network-acl-id {acl.id} {direction}"
            f" --rule-number N --protocol tcp --port-range From={ports[0]},To={ports[1]}"
            f" --cidr-block {peer} --rule-action allow  (N below any deny that matches;"
            " console: VPC > Network ACLs)")


def acl_flow(network: Network, client: Place, server: Place, port: int,
             client_ephemeral: tuple[int, int]) -> list[Block]:
    """What the NACLs of both subnets say about client -> server:port and its return traffic.

    Traffic inside one subnet never crosses its NACL; the internet has none.
    """
    if client.subnet is not None and server.subnet is not None \
            and client.subnet.id == server.subnet.id:
        return []
    legs: list[tuple[Place, bool, tuple[int, int], Place, str]] = [
        (client, True, (port, port), server, f"{client.name} -> {server.name}:{port}"),
        (server, False, (port, port), client, f"{client.name} -> {server.name}:{port}"),
        (server, True, client_ephemeral, client, f"replies {server.name} -> {client.name}"),
        (client, False, client_ephemeral, server, f"replies {server.name} -> {client.name}"),
    ]
    blocks: list[Block] = []
    for here, egress, ports, peer, what in legs:
        if here.subnet is None:
            continue
        acl = acl_of(network, here.subnet.id)
        if acl is None:
            blocks.append(Block(here.subnet.id, f"no network ACL read for {here.subnet.id}",
                                status="skip"))
            continue
        result = acl_allows(acl, egress=egress, ports=ports, peer=peer.cidr)
        span = f"{ports[0]}" if ports[0] == ports[1] else f"{ports[0]}-{ports[1]}"
        way = "outbound" if egress else "inbound"
        if not result.allowed:
            blocks.append(Block(
                _rule_name(acl, result.entry),
                f"network ACL {_rule_name(acl, result.entry)} ({here.subnet.id}) denies"
                f" {way} tcp {span} {'to' if egress else 'from'} {peer.cidr}: {what}",
                _acl_fix(acl, egress, ports, peer.cidr),
            ))
        elif result.partial is not None:
            blocks.append(Block(
                _rule_name(acl, result.partial),
                f"network ACL {_rule_name(acl, result.partial)} ({here.subnet.id}) denies"
                f" {way} tcp {span} for part of {peer.cidr} ({result.partial.cidr})",
                status="warn",
            ))
    return blocks


# -- security groups --------------------------------------------------------------------------


def sg_allows(rules: Iterable[Rule], port: int, *, groups: Iterable[str] = (),
              cidrs: Iterable[str] = (), prefix_lists: Iterable[str] = ()) -> Rule | None:
    """A rule letting ``port`` through for a peer known by its groups or a prefix list, or,
    for a peer known by CIDRs, the first of the rules that together hold every one of them."""
    group_set, lists = set(groups), set(prefix_lists)
    open_rules = [rule for rule in rules if rule.covers_port(port)]
    for rule in open_rules:
        if rule.group_id is not None and rule.group_id in group_set:
            return rule
        if rule.prefix_list_id is not None and rule.prefix_list_id in lists:
            return rule
    cidr_rules = [rule for rule in open_rules if rule.cidr is not None]
    covering: list[Rule] = []
    for cidr in cidrs:
        holder = next((r for r in cidr_rules if contains(r.cidr or "", cidr)), None)
        if holder is None:
            return None
        covering.append(holder)
    return covering[0] if covering else None


def describe_rule(rule: Rule) -> str:
    source = rule.group_id or rule.cidr or rule.prefix_list_id or "?"
    ports = "all" if rule.protocol in ("-1", "all") else f"{rule.from_port}-{rule.to_port}"
    return f"{rule.protocol}/{ports} {source}"


def judge(hop: str, blocks: Sequence[Block], passed_summary: str,
          notes: Sequence[str] = ()) -> Verdict:
    """One verdict for a hop: the first failing component, else the first that cannot be
    judged (skip, never pass), else the first warning, else pass."""
    unique = list({(b.component, b.summary): b for b in blocks}.values())
    for status in ("fail", "skip", "warn"):
        found = [b for b in unique if b.status == status]
        if not found:
            continue
        first = found[0]
        rest = [b.summary for b in unique if b is not first]
        detail = "; ".join([*rest, *notes])
        return Verdict(status, first.summary, detail, first.fix, hop, first.component)
    return Verdict("pass", passed_summary, "; ".join(notes), None, hop, None)
