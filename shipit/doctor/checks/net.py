"""net.alb_to_task and db.exposure: the ALB reaches the tasks; the database is not public.

ALB -> task passes the target group (an awsvpc task registers by IP, on the container port),
the ALB's security groups (egress), the tasks' (ingress), the route from the ALB's subnets to the
tasks' and the network ACLs of both, request and replies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from shipit.doctor import paths
from shipit.doctor.facts import (
    Network,
    Rule,
    SecurityGroup,
    Service,
    Snapshot,
    Subnet,
    TargetGroup,
)
from shipit.doctor.finding import Verdict, failed, passed
from shipit.doctor.paths import EPHEMERAL_ANY, Block, BlockStatus

HOP = "ALB -> task"
_OPEN = ("0.0.0.0/0", "::/0")


def groups_of(groups: Mapping[str, SecurityGroup], ids: Iterable[str]) -> list[SecurityGroup]:
    return [groups[gid] for gid in ids if gid in groups]


def ingress(groups: list[SecurityGroup]) -> list[Rule]:
    return [rule for group in groups for rule in group.ingress]


def egress(groups: list[SecurityGroup]) -> list[Rule]:
    return [rule for group in groups for rule in group.egress]


def rule_fix(direction: str, group: tuple[str, ...], port: int, peer: tuple[str, ...]) -> str:
    """The CLI command that opens ``port`` on ``group[0]`` to/from ``peer[0]``."""
    if not (group and peer):
        return f"console: EC2 > Security groups > the group > {direction.capitalize()} rules"
    if direction == "ingress":
        return (f"aws ec2 authorize-security-group-ingress --group-id {group[0]} --protocol tcp"
                f" --port {port} --source-group {peer[0]}")
    return (f"aws ec2 authorize-security-group-egress --group-id {group[0]} --ip-permissions"
            f" 'IpProtocol=tcp,FromPort={port},ToPort={port},"
            f"UserIdGroupPairs=[{{GroupId={peer[0]}}}]'")


@dataclass(frozen=True)
class End:
    """One end of a hop, for its security groups: who it is, its groups, its subnets."""

    name: str
    """As messages say it: "the ALB", "the tasks", "the database"."""
    whose: str
    """Its possessive: "the ALB's", "the tasks'"."""
    label: str
    """Its groups as messages list them: "ALB groups", "task groups"."""
    groups: tuple[str, ...]
    fallback: str
    """The component a finding names when the end has no group (its ARN or identifier)."""
    subnets: list[Subnet]

    @property
    def ids(self) -> str:
        return ",".join(self.groups) or "none"

    @property
    def component(self) -> str:
        return self.groups[0] if self.groups else self.fallback


def group_pair(all_groups: Mapping[str, SecurityGroup], source: End, dest: End, port: int,
               consequence: str = "") -> tuple[list[Block], str | None]:
    """The security groups on ``source -> dest`` on ``port``: ``dest``'s admit ``source`` (by
    group or subnet CIDR), and ``source``'s let the traffic out. The blocks, and a note naming
    both rules when both allow it."""
    inbound = paths.sg_allows(ingress(groups_of(all_groups, dest.groups)), port,
                              groups=source.groups, cidrs=[s.cidr for s in source.subnets])
    outbound = paths.sg_allows(egress(groups_of(all_groups, source.groups)), port,
                               groups=dest.groups, cidrs=[s.cidr for s in dest.subnets])
    blocks: list[Block] = []
    if inbound is None:
        blocks.append(Block(
            dest.component,
            f"{dest.whose} security group does not admit {source.name} on port {port}"
            f" ({dest.label} {dest.ids}; {source.label} {source.ids}){consequence}",
            rule_fix("ingress", dest.groups, port, source.groups),
        ))
    if outbound is None:
        blocks.append(Block(
            source.component,
            f"{source.whose} security group does not let traffic out to {dest.name} on port"
            f" {port}"
            f" ({source.label} {source.ids}; {dest.label} {dest.ids})",
            rule_fix("egress", source.groups, port, dest.groups),
        ))
    if inbound is None or outbound is None:
        return blocks, None
    return blocks, (f"in: {paths.describe_rule(inbound)} on {dest.ids}; out:"
                    f" {paths.describe_rule(outbound)} on {source.ids}")


def subnets(network: Network, ids: Iterable[str], whose: str) -> tuple[list[Subnet], list[Block]]:
    """The read subnets of ``ids``, and a skip for each one the network does not hold."""
    found: list[Subnet] = []
    missing: list[Block] = []
    for subnet_id in ids:
        subnet = paths.subnet(network, subnet_id)
        if subnet is None:
            missing.append(Block(subnet_id, f"{whose} subnet {subnet_id} was not read",
                                 status="skip"))
        else:
            found.append(subnet)
    return found, missing


def local_routes(network: Network, sources: list[Subnet], targets: list[Subnet]) -> list[Block]:
    """Each source subnet's route table reaches each target subnet by the VPC's local route."""
    blocks: list[Block] = []
    for source in sources:
        table = paths.route_table(network, source.id)
        if table is None:
            blocks.append(Block(source.id, f"no route table read for {source.id}", status="skip"))
            continue
        for target in targets:
            found = paths.route(table, target.cidr)
            if found is None:
                blocks.append(Block(table.id, f"route table {table.id} ({source.id}) has no route"
                                    f" to {target.cidr} ({target.id})"))
            elif found.target != "local":
                blocks.append(Block(table.id, f"route table {table.id} sends {target.cidr} to"
                                    f" {found.target}, which doctor does not follow",
                                    status="skip"))
    return blocks


def _target_group(group: TargetGroup, port: int) -> list[Block]:
    blocks: list[Block] = []
    if group.target_type not in (None, "ip"):
        blocks.append(Block(group.arn, f"target group {group.name} has target type"
                            f" {group.target_type}: awsvpc tasks register by IP",
                            "create a target group with --target-type ip (the type cannot"
                            " change) and point the service's load balancer at it"))
    if group.protocol not in (None, "HTTP", "HTTPS"):
        blocks.append(Block(group.arn, f"target group {group.name} speaks {group.protocol}, an"
                            " ALB needs HTTP or HTTPS targets",
                            "create an HTTP target group (protocol cannot change)"))
    if group.health_port not in (None, "traffic-port", str(port)):
        blocks.append(Block(group.arn, f"target group {group.name} checks health on port"
                            f" {group.health_port}; the container listens on {port}",
                            f"aws elbv2 modify-target-group --target-group-arn {group.arn}"
                            " --health-check-port traffic-port"))
    return blocks


def zones_served(lb_name: str, alb_subnets: list[Subnet], task_subnets: list[Subnet],
                 svc: Service) -> list[Block]:
    """An ALB sends nothing to targets in an Availability Zone it is not enabled in (their
    health reads "unused", Target.NotInUse)."""
    served = {subnet.zone for subnet in alb_subnets if subnet.zone}
    if not served:
        return []
    outside = [subnet for subnet in task_subnets if subnet.zone and subnet.zone not in served]
    if not outside:
        return []
    zones = ", ".join(sorted({subnet.zone for subnet in outside}))
    inside = [subnet for subnet in task_subnets if subnet.zone in served]
    status: BlockStatus = "warn" if inside else "fail"
    cluster = svc.cluster_arn.rsplit("/", 1)[-1]
    return [Block(
        outside[0].id,
        f"tasks may start in {zones} ({', '.join(s.id for s in outside)}), where {lb_name} is"
        f" not enabled (it serves {', '.join(sorted(served))}): their targets stay unused",
        f"aws elbv2 set-subnets --load-balancer-arn ARN --subnets (add a subnet in {zones}),"
        f" or aws ecs update-service --cluster {cluster} --service {svc.name}"
        " --network-configuration with task subnets in the ALB's zones",
        status,
    )]


def alb_to_task(s: Snapshot) -> Verdict:
    svc = s.service.need()
    lb = s.load_balancer.need()
    groups = s.security_groups.need()
    if not svc.load_balancers:
        return Verdict("skip", "the service has no load balancer", hop=HOP)
    ref = svc.load_balancers[0]
    port = ref.container_port
    network = paths.network_of(s)
    blocks: list[Block] = []
    for group in s.target_groups.need():
        if group.arn == ref.target_group_arn:
            blocks += _target_group(group, port)
    alb_subnets, missing = subnets(network, lb.subnets, "the ALB's")
    task_subnets, missing_tasks = subnets(network, svc.subnets, "the tasks'")
    alb = End("the ALB", "the ALB's", "ALB groups", lb.security_groups, lb.arn, alb_subnets)
    tasks = End("the tasks", "the tasks'", "task groups", svc.security_groups, svc.arn,
                task_subnets)
    found, note = group_pair(groups, alb, tasks, port, ": targets stay unhealthy")
    blocks += found
    blocks += zones_served(lb.name, alb_subnets, task_subnets, svc)
    blocks += local_routes(network, alb_subnets, task_subnets)
    for alb_subnet in alb_subnets:
        for task_subnet in task_subnets:
            blocks += paths.acl_flow(network, paths.place(alb_subnet), paths.place(task_subnet),
                                     port, EPHEMERAL_ANY)
    notes = [note] if note else []
    return paths.judge(HOP, [*blocks, *missing, *missing_tasks],
                       f"ALB -> tasks on port {port}: target group, groups, routes and ACLs"
                       " allow it", notes)


def exposure(s: Snapshot) -> Verdict:
    db = s.database.need()
    groups = s.security_groups.need()
    open_rules = [
        f"{group.id}: {paths.describe_rule(rule)}"
        for group in groups_of(groups, db.security_groups)
        for rule in group.ingress
        if rule.cidr in _OPEN and rule.covers_port(db.port)
    ]
    if db.publicly_accessible:
        return failed(
            f"{db.identifier} is publicly accessible",
            "; ".join(open_rules) or "it gets a public address; only the tasks need to reach it",
            f"aws rds modify-db-instance --db-instance-identifier {db.identifier}"
            " --no-publicly-accessible --apply-immediately",
        )
    if open_rules:
        return failed(
            f"port {db.port} of {db.identifier} is open to the internet",
            "; ".join(open_rules),
            f"aws ec2 revoke-security-group-ingress --group-id GROUP --protocol tcp --port"
            f" {db.port} --cidr 0.0.0.0/0 (and --ip-permissions for ::/0); admit only the"
            " tasks' security group",
        )
    return passed(f"{db.identifier} is private; no open ingress on {db.port}")
