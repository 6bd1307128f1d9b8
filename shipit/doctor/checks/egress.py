"""net.task_to_aws: a starting task reaches the AWS services it needs, from each task subnet.

Needed: ECR API and registry plus S3 (the layers) for an ECR image, CloudWatch Logs for awslogs,
Secrets Manager / SSM for ``secrets``. Each goes through a VPC endpoint of the task's VPC
(interface: private DNS on, its security group admitting the task on 443; S3 gateway: on the
subnet's route table), or out of the subnet's default route: a NAT gateway (available, in a
subnet routed to an internet gateway) or an internet gateway with a public IP on the task.
Security groups and network ACLs are judged on each way; the execution role is iam.execution_role.
"""

from __future__ import annotations

from shipit.arn import parse_secret_source
from shipit.aws.ec2 import Endpoint, Network, Subnet
from shipit.aws.ecs import Service
from shipit.doctor import paths
from shipit.doctor.checks.net import egress, groups_of, ingress, subnets
from shipit.doctor.facts import SecurityGroup, Snapshot, TaskDefinition
from shipit.doctor.finding import Verdict
from shipit.doctor.paths import EPHEMERAL_ANY, EPHEMERAL_LINUX, Block
from shipit.image_ref import split_image

HOP = "task -> AWS services"
HTTPS = 443


def needed_services(task: TaskDefinition) -> list[str]:
    """Endpoint service suffixes the task needs to start: ecr.api, ecr.dkr, s3, logs ..."""
    wanted: list[str] = []
    for container in task.containers:
        if split_image(container.image).ecr is not None:
            wanted += ["ecr.api", "ecr.dkr", "s3"]
        if container.log_driver == "awslogs":
            wanted.append("logs")
        for _, source in container.secrets:
            wanted.append(parse_secret_source(source).kind)
    return list(dict.fromkeys(wanted))


def _regions(s: Snapshot, task: TaskDefinition) -> list[Block]:
    blocks: list[Block] = []
    for container in task.containers:
        region = container.log_options.get("awslogs-region")
        if container.log_driver == "awslogs" and region and region != s.region:
            blocks.append(Block(f"{task.arn} awslogs-region", f"container {container.name} logs"
                                f" to {region}, the log group is looked for in {s.region}",
                                f'set "awslogs-region": "{s.region}" in the logConfiguration'))
    return blocks


def _other_region_secrets(s: Snapshot, task: TaskDefinition, service: str,
                          endpoint: Endpoint) -> list[Block]:
    """An interface endpoint serves its own region only: a secret elsewhere is out of reach."""
    if service not in ("secretsmanager", "ssm"):
        return []
    blocks: list[Block] = []
    for container in task.containers:
        for name, source in container.secrets:
            secret = parse_secret_source(source)
            if secret.kind == service and secret.region and secret.region != s.region:
                blocks.append(Block(f"{task.arn} {name}", f"secret {name} lives in {secret.region};"
                                    f" the tasks reach {service} only through {endpoint.id}"
                                    f" in {s.region}", f"copy the secret to {s.region} and point"
                                    f" {name} at it (or give the task subnets a NAT route)"))
    return blocks


class _Egress:
    """The judgement of one task subnet's ways out, shared by every service it needs."""

    def __init__(self, s: Snapshot, network: Network, svc: Service,
                 groups: dict[str, SecurityGroup]) -> None:
        self.s, self.network, self.svc, self.groups = s, network, svc, groups
        self.task_rules = egress(groups_of(groups, svc.security_groups))
        self.via: dict[str, str] = {}
        """subnet id -> the target of its default route (nat-..., igw-...)."""

    def sg_out(self, *, groups: tuple[str, ...] = (), cidrs: list[str] | None = None,
                prefix_lists: tuple[str, ...] = ()) -> list[Block]:
        if paths.sg_allows(self.task_rules, HTTPS, groups=groups, cidrs=cidrs or [],
                           prefix_lists=prefix_lists):
            return []
        first = self.svc.security_groups[0] if self.svc.security_groups else self.svc.arn
        peer = ",".join([*groups, *(cidrs or []), *prefix_lists])
        return [Block(first, f"the tasks' security group does not let 443 out to {peer}",
                      f"aws ec2 authorize-security-group-egress --group-id {first}"
                      " --protocol tcp --port 443 --cidr 0.0.0.0/0")]

    def internet(self, subnet: Subnet) -> list[Block]:
        """The subnet's default route to the internet, and every component on it."""
        table = paths.route_table(self.network, subnet.id)
        if table is None:
            return [Block(subnet.id, f"no route table read for {subnet.id}", status="skip")]
        found = paths.route(table, paths.WORLD)
        fix = (f"aws ec2 create-route --route-table-id {table.id} --destination-cidr-block"
               " 0.0.0.0/0 --nat-gateway-id NAT  (or add VPC endpoints for ECR, S3, Logs"
               " and Secrets Manager)")
        if found is None:
            return [Block(table.id, f"route table {table.id} of the tasks' {subnet.id} has no"
                          " route to the internet and no endpoint serves the task", fix)]
        if found.state != "active":
            return [Block(table.id, f"route table {table.id}: 0.0.0.0/0 -> {found.target} is"
                          f" {found.state}", fix)]
        self.via[subnet.id] = found.target
        blocks = self.sg_out(cidrs=[paths.WORLD])
        blocks += paths.acl_flow(self.network, paths.place(subnet), paths.internet(), HTTPS,
                                 EPHEMERAL_LINUX)
        if found.target.startswith("igw-"):
            blocks += self._igw(found.target, subnet)
        elif found.target.startswith("nat-"):
            blocks += self._nat(found.target, subnet)
        else:
            blocks.append(Block(table.id, f"route table {table.id} sends 0.0.0.0/0 to"
                                f" {found.target}, which doctor does not follow", status="skip"))
        return blocks

    def _igw(self, gateway: str, subnet: Subnet) -> list[Block]:
        blocks = []
        attached = any(g.id == gateway and subnet.vpc_id in g.vpc_ids
                       for g in self.network.internet_gateways)
        if not attached:
            blocks.append(Block(gateway, f"internet gateway {gateway} is not attached to"
                                f" {subnet.vpc_id}", f"aws ec2 attach-internet-gateway"
                                f" --internet-gateway-id {gateway} --vpc-id {subnet.vpc_id}"))
        if (self.svc.assign_public_ip or "DISABLED") != "ENABLED":
            blocks.append(Block(self.svc.arn, f"the tasks' {subnet.id} routes to {gateway}, but"
                                " the service gives tasks no public IP: nothing gets out",
                                "set assignPublicIp=ENABLED in the service's network"
                                " configuration, or route the subnet through a NAT gateway"))
        return blocks

    def _nat(self, nat_id: str, subnet: Subnet) -> list[Block]:
        nat = next((n for n in self.network.nat_gateways if n.id == nat_id), None)
        if nat is None or nat.state != "available":
            state = nat.state if nat else "missing"
            return [Block(nat_id, f"NAT gateway {nat_id} is {state}",
                          "aws ec2 create-nat-gateway --subnet-id PUBLIC_SUBNET --allocation-id"
                          " EIP, then point the route at it")]
        if not nat.public:
            return [Block(nat_id, f"NAT gateway {nat_id} is private: it cannot reach the"
                          " internet", "use a public NAT gateway")]
        home = paths.subnet(self.network, nat.subnet_id)
        if home is None:
            return [Block(nat.subnet_id, f"the NAT's subnet {nat.subnet_id} was not read",
                          status="skip")]
        table = paths.route_table(self.network, home.id)
        out = paths.route(table, paths.WORLD) if table else None
        attached = {g.id for g in self.network.internet_gateways if home.vpc_id in g.vpc_ids}
        if table is None or out is None or out.target not in attached:
            where = table.id if table else home.id
            return [Block(where, f"NAT gateway {nat_id} sits in {home.id}, whose route table"
                          f" {where} has no default route to an attached internet gateway",
                          "place the NAT gateway in a public subnet (0.0.0.0/0 -> igw-...)")]
        blocks = paths.acl_flow(self.network, paths.place(subnet), paths.place(home), HTTPS,
                                EPHEMERAL_LINUX)
        blocks += paths.acl_flow(self.network, paths.place(home), paths.internet(), HTTPS,
                                 EPHEMERAL_ANY)
        return blocks

    def interface(self, endpoint: Endpoint, subnet: Subnet) -> list[Block]:
        if endpoint.state != "available":
            return [Block(endpoint.id, f"endpoint {endpoint.id} ({endpoint.service}) is"
                          f" {endpoint.state}", "recreate the endpoint")]
        homes = [h for sid in endpoint.subnet_ids if (h := paths.subnet(self.network, sid))]
        blocks: list[Block] = []
        rules = ingress(groups_of(self.groups, endpoint.security_groups))
        admitted = paths.sg_allows(rules, HTTPS, groups=self.svc.security_groups,
                                   cidrs=[subnet.cidr])
        if admitted is None:
            group = endpoint.security_groups[0] if endpoint.security_groups else endpoint.id
            blocks.append(Block(group, f"endpoint {endpoint.id}'s security group {group} does"
                                f" not admit the tasks on 443 ({endpoint.service})",
                                f"aws ec2 authorize-security-group-ingress --group-id {group}"
                                " --protocol tcp --port 443 --source-group"
                                f" {','.join(self.svc.security_groups) or 'TASK_SG'}"))
        blocks += self.sg_out(groups=endpoint.security_groups,
                               cidrs=[h.cidr for h in homes])
        for home in homes:
            blocks += paths.acl_flow(self.network, paths.place(subnet), paths.place(home),
                                     HTTPS, EPHEMERAL_LINUX)
        return blocks


def task_to_aws(s: Snapshot) -> Verdict:
    svc = s.service.need()
    task = s.task_definition.need()
    groups = dict(s.security_groups.need())
    network = paths.network_of(s)
    wanted = needed_services(task)
    blocks = _regions(s, task)
    task_subnets, missing = subnets(network, svc.subnets, "the tasks'")
    judge = _Egress(s, network, svc, groups)
    ways: dict[str, str] = {}
    for subnet in task_subnets:
        internet: list[Block] | None = None
        endpoints = [e for e in network.endpoints if e.vpc_id == subnet.vpc_id]
        for service in wanted:
            name = f"com.amazonaws.{s.region}.{service}"
            table = paths.route_table(network, subnet.id)
            gateway = next((e for e in endpoints if e.service == name and e.type == "Gateway"
                            and table is not None and table.id in e.route_table_ids), None)
            interface = next((e for e in endpoints if e.service == name
                              and e.type == "Interface" and e.private_dns), None)
            if gateway is not None:
                ways[service] = gateway.id
                pl = paths.prefix_list_route(network, table, f".{service}") if table else None
                blocks += judge.sg_out(cidrs=[paths.WORLD],
                                       prefix_lists=(pl.destination,) if pl else ())
                # S3's addresses are public: the subnet's ACL must let 443 out and replies in.
                blocks += paths.acl_flow(network, paths.place(subnet), paths.internet(), HTTPS,
                                         EPHEMERAL_LINUX)
                continue
            if interface is not None:
                ways[service] = interface.id
                blocks += judge.interface(interface, subnet)
                blocks += _other_region_secrets(s, task, service, interface)
                continue
            if internet is None:
                internet = judge.internet(subnet)
            ways[service] = judge.via.get(subnet.id, "no route")
            off = next((e for e in endpoints if e.service == name and not e.private_dns), None)
            if off is not None and any(b.status == "fail" for b in internet):
                blocks.append(Block(off.id, f"endpoint {off.id} ({service}) has private DNS"
                                    " off: the task resolves the public name and has no way"
                                    " out", f"aws ec2 modify-vpc-endpoint --vpc-endpoint-id"
                                    f" {off.id} --private-dns-enabled"))
            blocks += internet
    if not wanted:
        return Verdict("skip", "the task needs no AWS service to start", hop=HOP)
    shown = ", ".join(f"{k} via {v}" for k, v in ways.items())
    return paths.judge(HOP, [*blocks, *missing],
                       f"tasks reach {', '.join(wanted)} from {len(task_subnets)} subnet(s)",
                       [shown] if shown else [])
