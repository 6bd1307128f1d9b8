"""A task definition's containers as CloudFormation takes them: the API's shape with keys
capitalised, images as parameters, secrets as references (parameters holding ARNs), and
plain-text variables that look secret moved to NoEcho parameters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shipit.export.context import Build
from shipit.export.model import Json, Moved, Parameter, literal_sub, logical, ref
from shipit.redact import secret_reason

FREE_MAPS = frozenset({"options", "dockerLabels"})
"""Keys whose values are maps of the user's own names (kept as they are)."""
READ_ONLY = frozenset({"taskDefinitionArn", "revision", "status", "requiresAttributes",
                       "compatibilities", "registeredAt", "registeredBy", "deregisteredAt",
                       "deleteRequestedAt", "enableFaultInjection"})


def pascal(value: Any, *, free: bool = False) -> Any:
    """API camelCase keys -> CloudFormation PascalCase; empty lists dropped."""
    if isinstance(value, Mapping):
        if free:
            return dict(value)
        out = {}
        for key, item in value.items():
            if item in ([], {}, None):
                continue
            out[key[:1].upper() + key[1:]] = pascal(item, free=key in FREE_MAPS)
        return out
    if isinstance(value, list):
        return [pascal(item) for item in value]
    return value


def image_parameter(build: Build, container: Mapping[str, Any]) -> str:
    name = "Image" if container["name"] == build.snapshot.main_container else (
        f"{logical(container['name'])}Image")
    build.template.parameter(name, Parameter(
        "String", f"Image of the {container['name']} container (default: the running one)",
        str(container["image"])))
    return name


def secret_parameter(build: Build, name: str, value_from: str) -> str:
    """A parameter holding the secret's ARN (or SSM name): a reference, never the value."""
    parameter = f"Secret{logical(name)}"
    kind = "SSM parameter" if ":ssm:" in value_from or not value_from.startswith("arn:") else (
        "Secrets Manager secret")
    build.template.parameter(parameter, Parameter(
        "String", f"The {kind} ECS injects as {name} (the stack's; a reference, not a value)",
        value_from))
    build.secret_parameters.setdefault(value_from, parameter)
    return parameter


def container_definition(build: Build, raw: Mapping[str, Any]) -> dict[str, Json]:
    definition: dict[str, Json] = pascal({k: v for k, v in raw.items()
                                          if k not in ("environment", "secrets", "image")})
    definition["Image"] = ref(image_parameter(build, raw))
    options = (definition.get("LogConfiguration") or {}).get("Options") or {}
    if options.get("awslogs-region") == build.snapshot.region:
        options["awslogs-region"] = ref("AWS::Region")  # the stack's own region, wherever it is
    environment = [{"Name": e["name"], "Value": _variable(build, raw["name"], e["name"],
                                                           e.get("value", ""))}
                   for e in sorted(raw.get("environment", []), key=lambda e: e["name"])]
    if environment:
        definition["Environment"] = environment
    secrets = [{"Name": s["name"], "ValueFrom": ref(secret_parameter(build, s["name"],
                                                                     s["valueFrom"]))}
               for s in raw.get("secrets", [])]
    if secrets:
        definition["Secrets"] = secrets
    order = ["Name", "Image", "Essential", "Cpu", "Memory", "PortMappings", "Environment",
             "Secrets", "LogConfiguration"]
    ordered = {k: definition[k] for k in order if k in definition}
    ordered.update({k: definition[k] for k in sorted(definition) if k not in ordered})
    return ordered


def _variable(build: Build, container: str, name: str, value: str) -> Json:
    reason = None if value.startswith("arn:") else secret_reason(name, value)  # a reference
    if reason:
        parameter = f"Var{logical(container)}{logical(name)}" if container != (
            build.snapshot.main_container) else f"Var{logical(name)}"
        build.template.parameter(parameter, Parameter(
            "String", f"{name} of the {container} container: it was plain text in the task"
            f" definition and {reason}; give it here (better: move it to Secrets Manager)",
            None, no_echo=True))
        build.template.moved.append(Moved(container, name, parameter, reason))
        return ref(parameter)
    used = {variable: target for literal, (variable, target) in build.replacements.items()
            if literal and literal in value}
    if not used:
        return value
    text = literal_sub(value)
    for literal, (variable, _) in build.replacements.items():
        text = text.replace(literal, "${" + variable + "}")
    return {"Fn::Sub": [text, used]}
