"""Build the CloudFormation template of a StackSnapshot: a pure function, in named steps."""

from __future__ import annotations

import re

from shipit.export import balancer, data, network, service
from shipit.export.context import Build, Options
from shipit.export.model import Json, Template, get_att, ref, sub
from shipit.export.snapshot import StackSnapshot

RETAIN = "Retain"


def build_template(snapshot: StackSnapshot, options: Options = Options()) -> Template:
    where = f"{snapshot.account}/{snapshot.region}"
    template = Template(
        description=f"ECS service {snapshot.cluster}/{snapshot.service.name} and what serves it,"
        f" exported by shipit from {where}" + (f" (env {snapshot.env})" if snapshot.env else ""))
    build = Build(snapshot, template, options)
    network.network(build)
    network.security_groups(build)
    balancer.target_groups(build)
    balancer.load_balancer(build)
    data.reserve_database(build)
    cluster = service.cluster(build)
    logs = service.log_groups(build)
    task = service.task_definition(build, logs)
    service.service(build, cluster, task)
    data.database(build)
    data.alias(build)
    data.website(build)
    _outputs(build)
    if options.for_import:
        _for_import(template)
    template.metadata = {"shipit": {
        "exported_from": {"account": snapshot.account, "region": snapshot.region,
                          "env": snapshot.env, "cluster": snapshot.cluster,
                          "service": snapshot.service.name},
        "moved_to_parameters": [f"{m.container}: {m.variable} -> {m.parameter} ({m.reason})"
                                for m in template.moved],
        "not_exported": [f"{u.what} ({u.where}): {u.why}" for u in template.unsupported],
    }}
    return template


def _outputs(build: Build) -> None:
    snap, template = build.snapshot, build.template
    https = any(listener.protocol == "HTTPS" for listener in snap.listeners)
    scheme = "https" if https else "http"
    if snap.alias is not None and build.load_balancer:
        url: Json = f"{scheme}://{snap.alias.records[0].name.rstrip('.')}"
    elif build.load_balancer:
        url = sub(f"{scheme}://${{{build.load_balancer}.DNSName}}")
    else:
        url = None
    if url is not None:
        template.outputs["Url"] = {"Description": "Where the service answers", "Value": url}
    if build.load_balancer:
        template.outputs["LoadBalancerDnsName"] = {
            "Description": "The load balancer's DNS name",
            "Value": get_att(build.load_balancer, "DNSName")}
    template.outputs["ServiceArn"] = {"Description": "The ECS service",
                                      "Value": ref("Service")}


def _for_import(template: Template) -> None:
    """Every resource kept when the stack is deleted or replaced; resources CloudFormation
    cannot import are left out (an IMPORT change set may not create anything) and listed."""
    for name, resource in list(template.resources.items()):
        if not resource.identifier:
            del template.resources[name]
            template.unsupported_shape(
                f"{resource.type} {name}", resource.source,
                "CloudFormation cannot import this type: left out of the --for-import template;"
                " add it with a stack update after the import (delete the clicked one first)")
            continue
        resource.deletion_policy = RETAIN
    used = _referenced([r.properties for r in template.resources.values()], template.outputs)
    for name in [n for n in template.parameters if n not in used]:
        del template.parameters[name]  # it named only what was left out (the hosted zone)


def _referenced(*values: Json) -> set[str]:
    """Every name a Ref or an Fn::Sub variable in ``values`` refers to."""
    found: set[str] = set()
    stack = list(values)
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if isinstance(value.get("Ref"), str):
                found.add(value["Ref"])
            sub_text = value.get("Fn::Sub")
            if isinstance(sub_text, list):
                sub_text = sub_text[0]
            if isinstance(sub_text, str):
                found.update(re.findall(r"\$\{([A-Za-z0-9]+)\}", sub_text))
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return found
