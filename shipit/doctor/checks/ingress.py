"""net.internet_to_alb: a request from the internet reaches the ALB and is sent to the service.

On the path: the ALB's scheme, its subnets' route tables (a default route to an attached
internet gateway), their network ACLs (the listener port in, replies out), its security groups
(the port from the world) and its listeners (a listener on the URL's port whose default action
or a rule forwards to the service's target group).
"""

from __future__ import annotations

import urllib.parse

from shipit.aws.elbv2 import Listener, LoadBalancer
from shipit.doctor import paths
from shipit.doctor.facts import Network, SecurityGroup, Snapshot
from shipit.doctor.finding import Verdict
from shipit.doctor.paths import EPHEMERAL_ANY, Block

HOP = "internet -> ALB"
_OPEN = ("0.0.0.0/0", "::/0")


def url_ports(s: Snapshot) -> tuple[int, ...]:
    """The ALB port(s) the service's URL uses: the scheme's port, or an explicit one.

    In an emulated AWS http.url is a loopback stand-in, so only its scheme counts.
    """
    if not s.http_url:
        return (80,)
    parts = urllib.parse.urlsplit(s.http_url)
    default = 443 if parts.scheme == "https" else 80
    if s.routes:
        return (default,)
    return (parts.port or default,)


def _subnet_routes(network: Network, lb: LoadBalancer) -> list[Block]:
    blocks: list[Block] = []
    attached = {g.id for g in network.internet_gateways if lb.vpc_id in g.vpc_ids}
    for subnet_id in lb.subnets:
        table = paths.route_table(network, subnet_id)
        if table is None:
            blocks.append(Block(subnet_id, f"no route table read for the ALB's {subnet_id}",
                                status="skip"))
            continue
        found = paths.route(table, paths.WORLD)
        fix = (f"aws ec2 create-route --route-table-id {table.id} --destination-cidr-block"
               " 0.0.0.0/0 --gateway-id IGW  (an internet-facing ALB needs public subnets)")
        if found is None or not found.target.startswith("igw-"):
            where = f"it goes to {found.target}" if found else "it has no default route"
            blocks.append(Block(table.id, f"route table {table.id} of the ALB's {subnet_id} does"
                                f" not route 0.0.0.0/0 to an internet gateway ({where})", fix))
        elif found.state != "active":
            blocks.append(Block(table.id, f"route table {table.id}: 0.0.0.0/0 -> {found.target}"
                                f" is {found.state}", fix))
        elif found.target not in attached:
            blocks.append(Block(found.target, f"internet gateway {found.target} is not attached"
                                f" to {lb.vpc_id}", f"aws ec2 attach-internet-gateway"
                                f" --internet-gateway-id {found.target} --vpc-id {lb.vpc_id}"))
    return blocks


def _security_groups(groups: dict[str, SecurityGroup], lb: LoadBalancer,
                     port: int) -> list[Block]:
    rules = [(g.id, r) for gid in lb.security_groups if (g := groups.get(gid)) for r in g.ingress
             if r.covers_port(port)]
    ids = ",".join(lb.security_groups) or "none"
    fix = (f"aws ec2 authorize-security-group-ingress --group-id {lb.security_groups[0]}"
           f" --protocol tcp --port {port} --cidr 0.0.0.0/0") if lb.security_groups else None
    if any(r.cidr in _OPEN for _, r in rules):
        return []
    if rules:
        sources = ", ".join(f"{gid}: {paths.describe_rule(r)}" for gid, r in rules)
        return [Block(rules[0][0], f"only some addresses may reach port {port} of the ALB"
                      f" ({sources})", fix, "warn")]
    return [Block(lb.security_groups[0] if lb.security_groups else lb.arn,
                  f"the ALB's security groups ({ids}) do not admit port {port} from the"
                  " internet", fix)]


def _forwards(listener: Listener, target_group: str) -> bool:
    actions = [*listener.default_actions, *(a for r in listener.rules for a in r.actions)]
    return any(target_group in a.target_groups for a in actions)


def _listeners(listeners: tuple[Listener, ...], lb: LoadBalancer, port: int,
               target_group: str) -> list[Block]:
    by_port = {listener.port: listener for listener in listeners}
    listener = by_port.get(port)
    if listener is None:
        return [Block(lb.arn, f"the ALB has no listener on port {port}",
                      f"aws elbv2 create-listener --load-balancer-arn {lb.arn} --port {port}"
                      f" --protocol {'HTTPS' if port == 443 else 'HTTP'} --default-actions"
                      f" Type=forward,TargetGroupArn={target_group}")]
    redirect = next((a for a in listener.default_actions if a.type == "redirect"), None)
    if redirect is not None and redirect.redirect_port and redirect.redirect_port.isdigit():
        target = by_port.get(int(redirect.redirect_port))
        if target is not None and _forwards(target, target_group):
            return []
    if _forwards(listener, target_group):
        return []
    kinds = ",".join(a.type for a in listener.default_actions) or "none"
    return [Block(listener.arn, f"listener {port} ({kinds}) leads no request to the service's"
                  " target group", f"aws elbv2 modify-listener --listener-arn {listener.arn}"
                  f" --default-actions Type=forward,TargetGroupArn={target_group}")]


def internet_to_alb(s: Snapshot) -> Verdict:
    lb = s.load_balancer.need()
    svc = s.service.need()
    if not svc.load_balancers:
        return Verdict("skip", "the service has no load balancer", hop=HOP)
    target_group = svc.load_balancers[0].target_group_arn
    blocks: list[Block] = []
    if lb.scheme != "internet-facing":
        blocks.append(Block(lb.arn, f"the ALB {lb.name} is {lb.scheme}: no internet address",
                            "create an internet-facing ALB in public subnets and move the"
                            " listeners and target group to it (the scheme cannot change)"))
    network = paths.network_of(s)
    groups = s.security_groups.need()
    listeners = paths.seen(s.listeners, "the ALB's listeners")
    ports = url_ports(s)
    blocks += _subnet_routes(network, lb)
    for port in ports:
        for subnet_id in lb.subnets:
            found = paths.subnet(network, subnet_id)
            if found is None:
                blocks.append(Block(subnet_id, f"the ALB's subnet {subnet_id} was not read",
                                    status="skip"))
                continue
            blocks += paths.acl_flow(network, paths.internet(), paths.place(found), port,
                                     EPHEMERAL_ANY)
        blocks += _security_groups(dict(groups), lb, port)
        blocks += _listeners(listeners, lb, port, target_group)
    shown = ",".join(str(p) for p in ports)
    return paths.judge(
        HOP, blocks,
        f"internet -> {lb.name}:{shown} -> target group: routes, ACLs, groups and listener agree",
        [f"subnets {','.join(lb.subnets)}", "the record's alias: see dns.alias"],
    )
