"""net.task_to_db: the tasks connect to this RDS instance (the checklist's "RDS unreachable").

On the path: the task's database host (DATABASE_URL / DB_URL) is this instance's endpoint; the
instance is available; the route from every task subnet to every DB subnet and back (the local
route, or an active peering connection between the two VPCs); both subnets' network ACLs,
request and replies; the tasks' security group (egress) and the database's (ingress).
"""

from __future__ import annotations

import urllib.parse

from shipit.aws.ec2 import Network, Subnet
from shipit.aws.rds import Database
from shipit.doctor import paths
from shipit.doctor.checks.net import End, group_pair, subnets
from shipit.doctor.facts import Snapshot, TaskDefinition
from shipit.doctor.finding import Verdict
from shipit.doctor.paths import EPHEMERAL_LINUX, Block

HOP = "task -> database"
URL_VARIABLES = ("DATABASE_URL", "DB_URL")
_DOWN = ("stopped", "stopping", "failed", "storage-full", "deleting", "inaccessible-encryption"
         "-credentials", "incompatible-network", "incompatible-parameters", "incompatible-restore")


def _host(s: Snapshot, task: TaskDefinition, db: Database) -> tuple[list[Block], list[str]]:
    container = task.container(s.container_name)
    env = dict(container.environment) if container else {}
    secrets = dict(container.secrets) if container else {}
    for name in URL_VARIABLES:
        if name in env:
            url = urllib.parse.urlsplit(env[name])
            host, port = (url.hostname or "").lower(), url.port or db.port
            if host.rstrip(".") != db.address.lower().rstrip("."):
                return [Block(f"{task.arn} {name}", f"{name} points at {host or '(no host)'},"
                              f" not {db.identifier}'s endpoint {db.address}",
                              f"set {name} to postgresql://USER@{db.address}:{db.port}/DB in"
                              " shipit.toml, then `shipit deploy`")], []
            if port != db.port:
                return [Block(f"{task.arn} {name}", f"{name} uses port {port}, {db.identifier}"
                              f" listens on {db.port}", f"use port {db.port} in {name}")], []
            return [], [f"{name} -> {db.address}:{db.port}"]
        if name in secrets:
            return [], [f"{name} comes from a secret: its host is not compared"]
    return [], ["no DATABASE_URL / DB_URL in the task: the host is not compared"]


def _peering_ok(network: Network, pcx: str, a_vpc: str, b_vpc: str) -> Block | None:
    peering = next((p for p in network.peerings if p.id == pcx), None)
    if peering is None:
        return Block(pcx, f"peering connection {pcx} was not read", status="skip")
    if {peering.requester_vpc, peering.accepter_vpc} != {a_vpc, b_vpc}:
        return Block(pcx, f"peering connection {pcx} joins {peering.requester_vpc} and"
                     f" {peering.accepter_vpc}, not {a_vpc} and {b_vpc}",
                     "route through the peering connection between these two VPCs")
    if peering.status != "active":
        return Block(pcx, f"peering connection {pcx} is {peering.status}, not active",
                     f"aws ec2 accept-vpc-peering-connection --vpc-peering-connection-id {pcx}")
    return None


def _route(network: Network, source: Subnet, target: Subnet) -> list[Block]:
    table = paths.route_table(network, source.id)
    if table is None:
        return [Block(source.id, f"no route table read for {source.id}", status="skip")]
    found = paths.route(table, target.cidr)
    fix = (f"aws ec2 create-route --route-table-id {table.id} --destination-cidr-block"
           f" {target.cidr} --vpc-peering-connection-id PCX")
    if found is None:
        return [Block(table.id, f"route table {table.id} ({source.id}) has no route to"
                      f" {target.cidr} ({target.id})", fix)]
    if found.state != "active":
        return [Block(table.id, f"route table {table.id}: {found.destination} ->"
                      f" {found.target} is {found.state}", fix)]
    if found.target == "local":
        if source.vpc_id != target.vpc_id:
            return [Block(table.id, f"route table {table.id} keeps {target.cidr} local, but"
                          f" {target.id} is in {target.vpc_id}", fix)]
        return []
    if found.target.startswith("pcx-"):
        problem = _peering_ok(network, found.target, source.vpc_id, target.vpc_id)
        return [problem] if problem else []
    if found.target.startswith(("igw-", "nat-")):
        return [Block(table.id, f"route table {table.id} ({source.id}) has no route to"
                      f" {target.cidr} ({target.id} in {target.vpc_id}): it would leave by"
                      f" {found.target}, where a private address is unreachable", fix)]
    return [Block(table.id, f"route table {table.id} sends {target.cidr} to {found.target},"
                  " which doctor does not follow (transit gateway, appliance)", status="skip")]


def task_to_db(s: Snapshot) -> Verdict:
    db = s.database.need()
    svc = s.service.need()
    groups = s.security_groups.need()
    task = s.task_definition.need()
    network = paths.network_of(s)
    blocks: list[Block] = []
    if db.status in _DOWN:
        blocks.append(Block(db.identifier, f"{db.identifier} is {db.status}",
                            f"aws rds start-db-instance --db-instance-identifier {db.identifier}"
                            " (or see RDS > Databases > Events)"))
    host_blocks, notes = _host(s, task, db)
    blocks += host_blocks
    task_subnets, missing = subnets(network, svc.subnets, "the tasks'")
    db_subnets, missing_db = subnets(network, db.subnets, "the database's")
    if not db.subnets:
        missing_db.append(Block(db.identifier, f"{db.identifier} names no DB subnets",
                                status="skip"))
    for task_subnet in task_subnets:
        for db_subnet in db_subnets:
            blocks += _route(network, task_subnet, db_subnet)
            blocks += _route(network, db_subnet, task_subnet)
            blocks += paths.acl_flow(network, paths.place(task_subnet), paths.place(db_subnet),
                                     db.port, EPHEMERAL_LINUX)
    tasks = End("the tasks", "the tasks'", "task groups", svc.security_groups, svc.arn,
                task_subnets)
    database = End("the database", "the database's", "database groups", db.security_groups,
                   db.identifier, db_subnets)
    found, note = group_pair(groups, tasks, database, db.port)
    blocks += found
    if note:
        notes.append(note)
    vpcs = sorted({t.vpc_id for t in task_subnets} | {db.vpc_id})
    return paths.judge(HOP, [*blocks, *missing, *missing_db],
                       f"tasks -> {db.identifier}:{db.port}: host, routes, ACLs and groups allow"
                       f" it ({', '.join(vpcs)})", notes)
