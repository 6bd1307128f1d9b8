"""Environment overlays: ``[env.<name>]`` tables deep-merged over the base."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def deep_merge(base: Mapping[str, Any], overlay: Mapping[str, Any]) -> dict[str, Any]:
    """Tables merge key by key; any other value in ``overlay`` replaces the base's."""
    merged: dict[str, Any] = {key: _deep_copy(value) for key, value in base.items()}
    for key, value in overlay.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = _deep_copy(value)
    return merged


def _deep_copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value


def defined_in(data: Mapping[str, Any], keys: list[str]) -> bool:
    """Whether ``data`` defines the value at ``keys`` (a list or scalar on the way counts)."""
    node: Any = data
    for key in keys:
        if not isinstance(node, Mapping):
            return True
        if key not in node:
            return False
        node = node[key]
    return True
