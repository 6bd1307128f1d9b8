"""A CloudFormation template as `shipit export` builds it: resources that remember where they
came from, parameters, outputs, and what was moved or could not be written."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

Json = Any
"""A template value: str, int, bool, list, dict (intrinsic functions are dicts)."""


def ref(name: str) -> dict[str, str]:
    return {"Ref": name}


def get_att(name: str, attribute: str) -> dict[str, list[str]]:
    return {"Fn::GetAtt": [name, attribute]}


def sub(text: str) -> dict[str, str]:
    return {"Fn::Sub": text}


def literal_sub(text: str) -> str:
    """``text`` as literal inside Fn::Sub (``${`` would start a variable)."""
    return text.replace("${", "${!")


def logical(*parts: str) -> str:
    """A logical id from names: ``articles-sandbox_alb`` -> ``ArticlesSandboxAlb``."""
    words = [w.lower() if w.isupper() else w
             for p in parts for w in re.split(r"[^A-Za-z0-9]+", p) if w]
    return "".join(w[:1].upper() + w[1:] for w in words) or "Resource"


@dataclass
class Resource:
    type: str
    properties: dict[str, Json]
    source: str
    """Where it came from (the template's comment above it)."""
    identifier: dict[str, str] = field(default_factory=dict)
    """Its identity for a change set of type IMPORT (empty: not importable)."""
    depends_on: list[str] = field(default_factory=list)
    deletion_policy: str | None = None


@dataclass(frozen=True)
class Parameter:
    type: str
    description: str
    default: str | None = None
    no_echo: bool = False


@dataclass(frozen=True)
class Moved:
    """A plain-text variable that looked secret: now a NoEcho parameter without a default."""

    container: str
    variable: str
    parameter: str
    reason: str


@dataclass(frozen=True)
class Unsupported:
    """Something the stack has that the template does not hold, and what to do about it."""

    what: str
    where: str
    why: str


@dataclass
class Template:
    description: str
    metadata: dict[str, Json] = field(default_factory=dict)
    parameters: dict[str, Parameter] = field(default_factory=dict)
    resources: dict[str, Resource] = field(default_factory=dict)
    outputs: dict[str, dict[str, Json]] = field(default_factory=dict)
    moved: list[Moved] = field(default_factory=list)
    unsupported: list[Unsupported] = field(default_factory=list)

    def add(self, name: str, resource: Resource) -> str:
        if name in self.resources:
            n = 2
            while f"{name}{n}" in self.resources:
                n += 1
            name = f"{name}{n}"
        self.resources[name] = resource
        return name

    def parameter(self, name: str, parameter: Parameter) -> dict[str, str]:
        self.parameters.setdefault(name, parameter)
        return ref(name)

    def unsupported_shape(self, what: str, where: str, why: str) -> None:
        self.unsupported.append(Unsupported(what, where, why))
