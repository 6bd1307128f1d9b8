"""Vocabulary shared by the service's modules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias

Environ: TypeAlias = Mapping[str, str]
JSONObject: TypeAlias = dict[str, Any]
