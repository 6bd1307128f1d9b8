"""Pure views of settings: flatten to key paths, diff two environments, format for people.

Nothing here prints; ``shipit config show|diff`` hand these strings to Output.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

NOT_SET = "(not set)"
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class Difference:
    """One key path whose value differs; None means "not set" on that side."""

    key: str
    left: Any
    right: Any


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"ecs": {"cluster": "x"}}`` -> ``{"ecs.cluster": "x"}``; lists and scalars are leaves."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}{_toml_key(str(key))}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, path + "."))
        else:
            flat[path] = value
    return flat


def diff(left: Mapping[str, Any], right: Mapping[str, Any]) -> list[Difference]:
    """Exactly the leaf key paths whose values differ (missing and None are both "not set")."""
    flat_left, flat_right = flatten(left), flatten(right)
    keys = sorted(set(flat_left) | set(flat_right))
    return [
        Difference(key, flat_left.get(key), flat_right.get(key))
        for key in keys
        if flat_left.get(key) != flat_right.get(key)
    ]


def format_value(value: Any) -> str:
    """A value as TOML writes it (strings quoted, arrays, inline tables); None is "(not set)"."""
    if value is None:
        return NOT_SET
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        inner = ", ".join(f"{_toml_key(str(k))} = {format_value(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(format_value(item) for item in value) + "]"
    return json.dumps(str(value))


def format_settings(data: Mapping[str, Any], *, title: str) -> str:
    """Settings as a TOML document: one table per section, unset keys as comments."""
    lines = [f"# {title}"]
    scalars = {k: v for k, v in data.items() if not isinstance(v, Mapping)}
    for key, value in scalars.items():
        lines.append(_toml_line(key, value))
    for section, values in data.items():
        if not isinstance(values, Mapping):
            continue
        lines.extend(["", f"[{_toml_key(section)}]"])
        if not values:
            lines.append("# (empty)")
        for key, value in values.items():
            lines.append(_toml_line(key, value))
    return "\n".join(lines)


def format_diff(differences: list[Difference], left_name: str, right_name: str) -> str:
    """Aligned columns ``key  LEFT  RIGHT``, one line per difference; "" when nothing differs."""
    if not differences:
        return ""
    rows = [("key", left_name, right_name)] + [
        (d.key, format_value(d.left), format_value(d.right)) for d in differences
    ]
    key_width = max(len(row[0]) for row in rows)
    left_width = max(len(row[1]) for row in rows)
    return "\n".join(
        f"{key:<{key_width}}  {left:<{left_width}}  {right}".rstrip() for key, left, right in rows
    )


def _toml_line(key: str, value: Any) -> str:
    if value is None:
        return f"# {_toml_key(key)} = {NOT_SET}"
    return f"{_toml_key(key)} = {format_value(value)}"


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key)
