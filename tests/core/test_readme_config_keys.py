"""The shipit.toml key table of docs/configuration.md against the pydantic models (as
sqlite-utils checks its docs against its commands): every key documented, no documented key that
does not exist, and the type and default where they are cheap to compare."""

from __future__ import annotations

import json
import re
import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from shipit.config import Settings

KEYS_PAGE = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
TOP_LEVEL_ONLY = {"project"}
"""Keys load_config reads before the models (the project name is not per environment)."""


def documented() -> dict[str, tuple[str, str]]:
    """key -> (type cell, default cell) of the table under '## Keys'."""
    text = KEYS_PAGE.read_text(encoding="utf-8")
    section = text.split("\n## Keys\n", 1)[1].split("\n#", 1)[0]
    rows: dict[str, tuple[str, str]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and (key := re.fullmatch(r"`([a-z_.<>A-Z]+)`", cells[0])):
            rows[key.group(1)] = (cells[1], cells[2])
    return rows


def model_keys() -> dict[str, FieldInfo]:
    """Every key a shipit.toml environment takes, as ``section.field`` (``vars.<NAME>``)."""
    keys: dict[str, FieldInfo] = {}
    for name, field in Settings.model_fields.items():
        section = field.annotation
        if isinstance(section, type) and issubclass(section, BaseModel):
            keys.update({f"{name}.{sub}": info for sub, info in section.model_fields.items()})
        else:
            keys[f"{name}.<NAME>"] = field
    return keys


def test_every_key_is_documented_and_every_documented_key_exists() -> None:
    table, models = set(documented()), set(model_keys()) | TOP_LEVEL_ONLY
    assert sorted(models - table) == [], "keys missing from the table of docs/configuration.md"
    assert sorted(table - models) == [], "docs/configuration.md has keys the models do not have"


def _base(annotation: Any) -> Any:
    """``list[...]`` for ``Annotated[list[...], ...] | None`` and the like."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    origin = typing.get_origin(annotation)
    if origin is typing.Union or str(origin) == "<class 'types.UnionType'>":
        return _base(args[0]) if len(args) == 1 else annotation
    if origin is typing.Annotated:
        return _base(args[0])
    return annotation


@pytest.mark.parametrize("key", sorted(model_keys()))
def test_documented_type_and_default_match_the_model(key: str) -> None:
    type_cell, default_cell = documented()[key]
    info = model_keys()[key]
    base = _base(info.annotation)
    origin = typing.get_origin(base)
    if base is int:
        assert "integer" in type_cell
    elif origin is list:
        assert "list" in type_cell
    elif origin is dict and not key.endswith("<NAME>"):
        assert "table" in type_cell
    elif origin is typing.Literal:
        assert all(f"`{choice}`" in type_cell for choice in typing.get_args(base))
    default = info.default_factory() if info.default_factory is not None else info.default  # type: ignore[call-arg]
    if default is None or default is PydanticUndefined:
        return  # "none", or a fallback the README describes in words
    shown = default_cell.strip("`")
    assert shown == (default if isinstance(default, str) else json.dumps(default)), (
        f"{key}: docs/configuration.md says {default_cell}, the model's default is {default!r}")
