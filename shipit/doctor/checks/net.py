"""net.alb_to_task, net.task_to_db: the security groups let each hop through, on the right port."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from shipit.doctor.facts import Rule, SecurityGroup, Snapshot
from shipit.doctor.finding import Verdict, failed, passed, skipped

_OPEN = ("0.0.0.0/0", "::/0")


def allows(rules: Iterable[Rule], port: int, peers: Iterable[str]) -> Rule | None:
    """The first rule that lets ``port`` through from/to one of ``peers`` groups, or any CIDR."""
    peer_set = set(peers)
    for rule in rules:
        if not rule.covers_port(port):
            continue
        if rule.group_id is not None and rule.group_id in peer_set:
            return rule
        if rule.cidr is not None:
            return rule
    return None


def _groups(groups: Mapping[str, SecurityGroup], ids: Iterable[str]) -> list[SecurityGroup]:
    return [groups[gid] for gid in ids if gid in groups]


def _ingress(groups: list[SecurityGroup]) -> list[Rule]:
    return [rule for group in groups for rule in group.ingress]


def _egress(groups: list[SecurityGroup]) -> list[Rule]:
    return [rule for group in groups for rule in group.egress]


def _describe(rule: Rule) -> str:
    source = rule.group_id or rule.cidr or "?"
    ports = "all" if rule.protocol in ("-1", "all") else f"{rule.from_port}-{rule.to_port}"
    return f"{rule.protocol}/{ports} {source}"


def _rule_fix(direction: str, group: tuple[str, ...], port: int, peer: tuple[str, ...]) -> str:
    """The CLI command that opens ``port`` on ``group[0]`` to/from ``peer[0]``."""
    if not (group and peer):
        return f"console: EC2 > Security groups > the group > {direction.capitalize()} rules"
    if direction == "ingress":
        return (f"aws ec2 authorize-security-group-ingress --group-id {group[0]} --protocol tcp"
                f" --port {port} --source-group {peer[0]}")
    return (f"aws ec2 authorize-security-group-egress --group-id {group[0]} --ip-permissions"
            f" 'IpProtocol=tcp,FromPort={port},ToPort={port},"
            f"UserIdGroupPairs=[{{GroupId={peer[0]}}}]'")


def alb_to_task(s: Snapshot) -> Verdict:
    svc = s.service.need()
    lb = s.load_balancer.need()
    groups = s.security_groups.need()
    if not svc.load_balancers:
        return skipped("the service has no load balancer")
    port = svc.load_balancers[0].container_port
    task_groups = _groups(groups, svc.security_groups)
    alb_groups = _groups(groups, lb.security_groups)
    inbound = allows(_ingress(task_groups), port, lb.security_groups)
    outbound = allows(_egress(alb_groups), port, svc.security_groups)
    task_ids = ",".join(svc.security_groups) or "none"
    alb_ids = ",".join(lb.security_groups) or "none"
    if inbound is None:
        return failed(
            f"the tasks' security group does not admit the ALB on port {port}",
            f"task groups {task_ids}; ALB groups {alb_ids}. Targets stay unhealthy and tasks"
            " are replaced again and again.",
            _rule_fix("ingress", svc.security_groups, port, lb.security_groups),
        )
    if outbound is None:
        return failed(
            f"the ALB's security group does not let traffic out to the tasks on port {port}",
            f"ALB groups {alb_ids}; task groups {task_ids}",
            _rule_fix("egress", lb.security_groups, port, svc.security_groups),
        )
    return passed(
        f"ALB -> tasks on port {port} allowed",
        f"in: {_describe(inbound)} on {task_ids}; out: {_describe(outbound)} on {alb_ids}",
    )


def task_to_db(s: Snapshot) -> Verdict:
    db = s.database.need()
    svc = s.service.need()
    groups = s.security_groups.need()
    vpcs = s.subnet_vpcs.need()
    task_vpcs = {vpcs[subnet] for subnet in svc.subnets if subnet in vpcs}
    if task_vpcs and db.vpc_id not in task_vpcs:
        return failed(
            f"the database is in {db.vpc_id}, the tasks in {', '.join(sorted(task_vpcs))}",
            "security-group references do not cross VPCs, and without peering or a transit"
            " gateway no route exists",
            "run the service in the database's VPC (or peer the VPCs and add routes); console:"
            " RDS > Databases > DB > Connectivity & security",
        )
    db_groups = _groups(groups, db.security_groups)
    task_groups = _groups(groups, svc.security_groups)
    inbound = allows(_ingress(db_groups), db.port, svc.security_groups)
    outbound = allows(_egress(task_groups), db.port, db.security_groups)
    db_ids = ",".join(db.security_groups) or "none"
    task_ids = ",".join(svc.security_groups) or "none"
    if inbound is None:
        return failed(
            f"the database's security group does not admit the tasks on port {db.port}",
            f"database groups {db_ids}; task groups {task_ids}. The service cannot connect to"
            f" {db.address}:{db.port} (the checklist's 'RDS unreachable').",
            _rule_fix("ingress", db.security_groups, db.port, svc.security_groups),
        )
    if outbound is None:
        return failed(
            f"the tasks' security group does not let traffic out to the database on {db.port}",
            f"task groups {task_ids}; database groups {db_ids}",
            _rule_fix("egress", svc.security_groups, db.port, db.security_groups),
        )
    return passed(
        f"tasks -> {db.identifier} on port {db.port} allowed, same VPC {db.vpc_id}",
        f"in: {_describe(inbound)} on {db_ids}; out: {_describe(outbound)} on {task_ids}",
    )


def exposure(s: Snapshot) -> Verdict:
    db = s.database.need()
    groups = s.security_groups.need()
    open_rules = [
        f"{group.id}: {_describe(rule)}"
        for group in _groups(groups, db.security_groups)
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
