"""What adopting a stack finds: each value with where it came from, the shapes it read but did
not write (and why), and the choices it could not make alone.

A choice is settled, in this order, by the option that names it (``--container web``), by the
value the base of shipit.toml already holds (``ecs.container``) when it is one of the
candidates, then by a person at a terminal; with nobody to ask it exits 2 naming the option.
"""

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


@dataclass(frozen=True)
class Given:
    """A value that may settle a choice: from an option (strict) or the base file (a default)."""

    value: str
    where: str
    """``--container`` or ``shipit.toml ecs.container``."""
    strict: bool
    """An option must name a candidate; a base value that names none is passed over."""


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


def matches(value: str, candidate: str) -> bool:
    """A candidate is shown as ``name`` or ``name (detail)``; either form names it."""
    wanted = value.strip().lower().rstrip(".")
    return wanted in (candidate.lower().rstrip("."), candidate.split(" ", 1)[0].lower().rstrip("."))


def pick(choice: Choice, given: Given | None, choose: Chooser) -> tuple[str, str | None]:
    """The chosen candidate, and what settled it (None: the person or the only candidate)."""
    if given is not None:
        match = next((c for c in choice.candidates if matches(given.value, c)), None)
        if match is not None:
            return match, given.where
        if given.strict:
            listed = ", ".join(choice.candidates) or "none found"
            raise UsageError(f"{given.where} {given.value!r} is not {choice.what} here"
                             f" ({choice.why}; candidates: {listed})", hint=choice.settle)
    return choose(choice), None


@dataclass
class Discovery:
    values: list[Found] = field(default_factory=list)
    notes: list[Found] = field(default_factory=list)
    """Facts read but not written, each with why: no key holds it (port, log group, cpu), the
    default already says it, or a shape shipit does not adopt (a wildcard record)."""

    def add(self, key: str, value: Any, source: str) -> None:
        self.values = [f for f in self.values if f.key != key]
        self.values.append(Found(key, value, source))

    def note(self, key: str, value: Any, source: str) -> None:
        self.notes.append(Found(key, value, source))

    def value(self, key: str) -> Any:
        return next((f.value for f in self.values if f.key == key), None)

    def drop(self, key: str) -> None:
        self.values = [f for f in self.values if f.key != key]

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
