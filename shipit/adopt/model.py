"""What adopting a stack finds: each value with where it came from, and the choices it
could not make alone (asked on a terminal, exit 2 with the candidates otherwise)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from shipit.errors import UsageError

SECTIONS = ("aws", "image", "ecs", "rds", "dns", "http", "web", "vars", "secrets")


@dataclass(frozen=True)
class Found:
    key: str
    """Dotted key of shipit.toml: ``ecs.cluster``, ``vars.PORT``."""
    value: Any
    source: str
    """Where it came from, said plainly: ``ecs:DescribeServices articles/api .desiredCount``."""


@dataclass(frozen=True)
class Choice:
    what: str
    candidates: tuple[str, ...]
    why: str
    settle: str
    """How to settle it without a terminal: the option to pass."""


class Ambiguous(UsageError):
    """More than one candidate (or none) and nobody to ask: exit 2 with the list."""

    def __init__(self, choice: Choice) -> None:
        listed = "\n".join(f"  - {c}" for c in choice.candidates) or "  (none found)"
        super().__init__(f"cannot choose {choice.what}: {choice.why}; candidates:\n{listed}",
                         hint=f"{choice.settle}, or run on a terminal to be asked")
        self.choice = choice


Chooser = Callable[[Choice], str]
"""Picks one candidate (a terminal prompt), or raises Ambiguous (CI)."""


def refuse(choice: Choice) -> str:
    raise Ambiguous(choice)


@dataclass
class Discovery:
    values: list[Found] = field(default_factory=list)
    notes: list[Found] = field(default_factory=list)
    """Facts read but not written (no shipit.toml key holds them): port, platform, log group."""

    def add(self, key: str, value: Any, source: str) -> None:
        self.values.append(Found(key, value, source))

    def note(self, key: str, value: Any, source: str) -> None:
        self.notes.append(Found(key, value, source))

    def overlay(self) -> dict[str, dict[str, Any]]:
        """The [env.NAME] tables, in shipit.toml's section order."""
        tables: dict[str, dict[str, Any]] = {}
        for section in SECTIONS:
            for found in self.values:
                head, _, rest = found.key.partition(".")
                if head == section:
                    tables.setdefault(section, {})[rest] = found.value
        return tables

    def to_dict(self) -> list[dict[str, Any]]:
        return [{"key": f.key, "value": f.value, "source": f.source} for f in self.values]
