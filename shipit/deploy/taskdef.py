"""The next task-definition revision, computed from the current one, and a readable diff.

Only the container's image, environment and secrets change; everything else is copied, minus
the read-only fields DescribeTaskDefinition returns and RegisterTaskDefinition refuses.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from typing import Any

from shipit.errors import UsageError
from shipit.redact import CHANGED, redact_data, redact_value

READ_ONLY_FIELDS = (
    "taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities",
    "registeredAt", "registeredBy", "deregisteredAt", "deleteRequested",
)


def registration_input(described: Mapping[str, Any]) -> dict[str, Any]:
    """The RegisterTaskDefinition input equivalent to a described task definition."""
    return {
        key: copy.deepcopy(value)
        for key, value in described.items()
        if key not in READ_ONLY_FIELDS and value not in (None, [], {})
    }


def next_task_definition(
    described: Mapping[str, Any],
    *,
    container: str,
    image: str,
    variables: Mapping[str, str],
    secrets: Mapping[str, str],
) -> dict[str, Any]:
    """The registration input of the next revision: ``container`` gets the image and config.

    ``variables`` become the container's ``environment`` and ``secrets`` its ``secrets``
    (valueFrom ARNs), both sorted by name; a secret's name never appears in ``environment``.
    """
    result = registration_input(described)
    containers: list[dict[str, Any]] = result.get("containerDefinitions", [])
    target = next((c for c in containers if c.get("name") == container), None)
    if target is None:
        names = ", ".join(repr(c.get("name")) for c in containers) or "none"
        raise UsageError(
            f"task definition {described.get('family')}:{described.get('revision')} has no"
            f" container named {container!r} (it has {names})",
            hint="set ecs.container in shipit.toml to the container that runs your image",
        )
    target["image"] = image
    target["environment"] = [
        {"name": name, "value": value}
        for name, value in sorted(variables.items())
        if name not in secrets
    ]
    if secrets:
        target["secrets"] = [
            {"name": name, "valueFrom": arn} for name, arn in sorted(secrets.items())
        ]
    else:
        target.pop("secrets", None)
    return result


def diff_task_definitions(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Readable lines, one per changed leaf: ``~ path: old -> new``, ``+ path: v``, ``- path``.

    Lists of ``{"name": ...}`` items (containers, environment, secrets) are matched by name.
    Values are shown redacted (shipit.redact); a secret that changed reads ``*** (changed)``.
    """
    lines: list[str] = []
    _diff(_keyed(old), _keyed(new), "", lines)
    return lines


def _keyed(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _keyed(v) for k, v in value.items()}
    if isinstance(value, list) and value and all(
        isinstance(i, Mapping) and "name" in i for i in value
    ):
        return {f"[{i['name']}]": _keyed({k: v for k, v in i.items() if k != "name"})
                for i in value}
    if isinstance(value, list):
        return [_keyed(v) for v in value]
    return value


def _diff(old: Any, new: Any, path: str, lines: list[str]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            child = f"{path}.{key}" if path and not key.startswith("[") else f"{path}{key}"
            if key not in new:
                lines.append(f"- {child}: {_show(old[key], child)}")
            elif key not in old:
                lines.append(f"+ {child}: {_show(new[key], child)}")
            else:
                _diff(old[key], new[key], child, lines)
        return
    if old != new:
        before, after = _show(old, path), _show(new, path)
        shown = CHANGED if before == after else f"{before} -> {after}"
        lines.append(f"~ {path}: {shown}")


def _show(value: Any, path: str) -> str:
    """``value`` redacted for the variable or key that ``path`` ends with."""
    named = re.search(r"(?:\[([^\]]+)\]|\.?([^.\[\]]+))$", path.removesuffix(".value"))
    name = next((g for g in named.groups() if g), "") if named else ""
    if isinstance(value, dict) and set(value) == {"value"}:
        return json.dumps(redact_value(name, value["value"]))
    if isinstance(value, dict) and set(value) == {"valueFrom"}:
        return f"(secret) {value['valueFrom']}"
    return json.dumps(redact_value(name, redact_data(value)), sort_keys=True, default=str)
