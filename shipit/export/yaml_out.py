"""Write a Template as YAML: a stable key order (the builder's), a comment above each resource
saying where it came from, and every string quoted (no YAML type guessing: ``"on"``, ``"1e3"``).
"""

from __future__ import annotations

import json
import re
from typing import Any

from shipit.export.model import Template

_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_.:/-]+$")
INDENT = "  "


def to_yaml(template: Template, *, header: list[str] | None = None) -> str:
    lines = [f"# {line}" if line else "#" for line in header or []]
    lines += ['AWSTemplateFormatVersion: "2010-09-09"',
              f"Description: {_scalar(template.description)}"]
    if template.metadata:
        lines += ["Metadata:", *_block(template.metadata, 1)]
    if template.parameters:
        lines.append("Parameters:")
        for name, parameter in template.parameters.items():
            body: dict[str, Any] = {"Type": parameter.type, "Description": parameter.description}
            if parameter.default is not None:
                body["Default"] = parameter.default
            if parameter.no_echo:
                body["NoEcho"] = True
            lines += [f"{INDENT}{name}:", *_block(body, 2)]
    lines.append("Resources:")
    for name, resource in template.resources.items():
        lines += [f"{INDENT}# {line}" for line in _wrap(f"from {resource.source}")]
        lines.append(f"{INDENT}{name}:")
        body = {"Type": resource.type}
        if resource.deletion_policy:
            body |= {"DeletionPolicy": resource.deletion_policy,
                     "UpdateReplacePolicy": resource.deletion_policy}
        if resource.depends_on:
            body["DependsOn"] = resource.depends_on
        if resource.properties:
            body["Properties"] = resource.properties
        lines += _block(body, 2)
    if template.outputs:
        lines += ["Outputs:", *_block(template.outputs, 1)]
    return "\n".join(lines) + "\n"


def _wrap(text: str, width: int = 94) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [*lines, line] if line else lines


def _key(key: str) -> str:
    return key if _PLAIN_KEY.match(key) and not key[0].isdigit() else json.dumps(key)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if value is None:
        return "null"
    return json.dumps(str(value))


def _block(value: Any, depth: int) -> list[str]:
    pad = INDENT * depth
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict | list) and item:
                lines.append(f"{pad}{_key(key)}:")
                lines += _block(item, depth + 1)
            else:
                lines.append(f"{pad}{_key(key)}: {_empty(item)}")
        return lines
    for item in value:
        if isinstance(item, dict | list) and item:
            inner = _block(item, depth + 1)
            first = inner[0][len(INDENT) * (depth + 1):]
            lines.append(f"{pad}- {first}")
            lines += [f"{pad}  {line[len(INDENT) * (depth + 1):]}" for line in inner[1:]]
        else:
            lines.append(f"{pad}- {_empty(item)}")
    return lines


def _empty(item: Any) -> str:
    if isinstance(item, dict):
        return "{}"
    if isinstance(item, list):
        return "[]"
    return _scalar(item)
