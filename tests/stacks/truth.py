"""A corpus stack's truth file: what doctor must judge per check id, what init must write.

    about = "one line: the shape"
    built = "boto3" | "cloudformation (+ API: ...)"
    [app]                      # the service behind the ALB (tests/stacks/app.py)
    health_path = "/health"
    allow = ["https://app.example.com"]
    [init]
    args = ["--alb", "x"]      # options that settle its questions (no terminal)
    exit_code = 0
    [init.keys]                # [env.adopted] of shipit.toml, key by key (aws.endpoint_url aside)
    "ecs.cluster" = "orders-cluster"
    [config]                   # optional: keys the user changed after adopting
    "http.cors_origins" = ["https://app.example.com"]
    [doctor]                   # every check id: its status (or a list of acceptable ones)
    "aws.identity" = "pass"

Values may hold placeholders resolved against the built stack: ``{account}``, ``{region}``,
``{ecr}`` (this account's ECR host), ``{alb:NAME}`` (the ALB's DNS name), ``{secret:NAME}``
(the secret's ARN, random suffix included), ``{task_secret:NAME}`` (the ``valueFrom`` of the task
definitions' secret NAME: what a deleted secret's ARN can only be read from).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.stacks.console import ACCOUNT, Console

CASES = Path(__file__).parent / "cases"
_PLACEHOLDER = re.compile(r"\{(account|region|ecr|alb:[^}]+|secret:[^}]+|task_secret:[^}]+)\}")


@dataclass
class Truth:
    name: str
    about: str
    built: str
    app_health_path: str
    app_allow: tuple[str, ...]
    init_args: tuple[str, ...]
    init_exit: int
    keys: dict[str, Any]
    config: dict[str, Any]
    """Keys changed by hand after adopting: doctor runs on keys + config."""
    doctor: dict[str, tuple[str, ...]]
    raw: dict[str, Any] = field(default_factory=dict)


def case_names() -> list[str]:
    return sorted(path.stem for path in CASES.glob("*.toml"))


def load(name: str, console: Console) -> Truth:
    raw = tomllib.loads((CASES / f"{name}.toml").read_text(encoding="utf-8"))
    resolved = _resolve(raw, console)
    app = resolved.get("app", {})
    init = resolved.get("init", {})
    return Truth(
        name=name,
        about=resolved["about"],
        built=resolved["built"],
        app_health_path=app.get("health_path", "/health"),
        app_allow=tuple(app.get("allow", ())),
        init_args=tuple(init.get("args", ())),
        init_exit=int(init.get("exit_code", 0)),
        keys=dict(init.get("keys", {})),
        config=dict(resolved.get("config", {})),
        doctor={check: (want,) if isinstance(want, str) else tuple(want)
                for check, want in resolved.get("doctor", {}).items()},
        raw=resolved,
    )


def _resolve(value: Any, console: Console) -> Any:
    if isinstance(value, dict):
        return {key: _resolve(item, console) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolve(item, console) for item in value]
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda m: _lookup(m.group(1), console), value)
    return value


def _lookup(token: str, console: Console) -> str:
    if token == "account":
        return ACCOUNT
    if token == "region":
        return console.region
    if token == "ecr":
        return f"{ACCOUNT}.dkr.ecr.{console.region}.amazonaws.com"
    kind, _, name = token.partition(":")
    if kind == "alb":
        found = console.client("elbv2").describe_load_balancers(Names=[name])
        return str(found["LoadBalancers"][0]["DNSName"])
    if kind == "task_secret":
        return _task_secret(name, console)
    return str(console.client("secretsmanager").describe_secret(SecretId=name)["ARN"])


def _task_secret(name: str, console: Console) -> str:
    ecs = console.client("ecs")
    for arn in ecs.list_task_definitions()["taskDefinitionArns"]:
        definition = ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]
        for container in definition["containerDefinitions"]:
            for secret in container.get("secrets", []):
                if secret["name"] == name:
                    return str(secret["valueFrom"])
    raise LookupError(f"no task definition has a secret {name}")


def flatten(tables: dict[str, Any]) -> dict[str, Any]:
    """``{"ecs": {"cluster": "x"}}`` -> ``{"ecs.cluster": "x"}`` (one level, as init writes)."""
    flat: dict[str, Any] = {}
    for section, values in tables.items():
        if isinstance(values, dict):
            for key, value in values.items():
                flat[f"{section}.{key}"] = value
        else:
            flat[section] = values
    return flat


def nest(keys: dict[str, Any]) -> dict[str, dict[str, Any]]:
    tables: dict[str, dict[str, Any]] = {}
    for dotted, value in keys.items():
        section, _, key = dotted.partition(".")
        tables.setdefault(section, {})[key] = value
    return tables


def toml_value(value: Any) -> str:
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    return json.dumps(value)


def shipit_toml(name: str, keys: dict[str, Any]) -> str:
    """A shipit.toml whose base sections hold ``keys`` (what a user would have written)."""
    lines = [f'project = "{name}"', ""]
    for section, values in nest(keys).items():
        lines.append(f"[{section}]")
        for key, value in values.items():
            shown = key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else f'"{key}"'
            lines.append(f"{shown} = {toml_value(value)}")
        lines.append("")
    return "\n".join(lines)
