"""A stack's values in the spellings shipit.toml's schema accepts, before anything is written.

ECS accepts more spellings than shipit.toml does: a secret from SSM named by its bare name
(``db-password`` or ``/app/db``, read in the task's own region and account), an origin with a
trailing ``/``. These become the one spelling the schema holds (the parameter's ARN, the bare
origin); what cannot be respelled is refused by the validation that follows (exit 2, naming it).
"""

from __future__ import annotations

from dataclasses import dataclass

from shipit.arn import parse_secret_source

WILDCARD = "*"


def secret_reference(value_from: str, *, region: str, account: str) -> str:
    """A task definition's ``valueFrom`` as an ARN: a bare name is an SSM parameter of the
    task's region and account (ECS's own rule); an ARN (Secrets Manager with a JSON key or a
    version stage, SSM) is kept as it is, JSON key and stage included."""
    source = parse_secret_source(value_from)
    return value_from if source.arn else source.in_region(region, account)


@dataclass(frozen=True)
class Origins:
    origins: tuple[str, ...]
    """Each item stripped, without a trailing ``/``, repeats dropped, order kept."""
    wildcard: bool
    """The list holds ``*``: every origin is allowed, which http.cors_origins cannot say."""
    respelled: tuple[str, ...] = ()
    """The items that were written otherwise (``https://a.example/``)."""


def origins(value: str) -> Origins:
    """A comma-separated origin list (a CORS variable's value) in the schema's spelling."""
    items = [item.strip() for item in value.split(",") if item.strip()]
    kept: list[str] = []
    respelled: list[str] = []
    for item in items:
        origin = item.rstrip("/") if item != WILDCARD else item
        if origin != item:
            respelled.append(item)
        if origin not in kept:
            kept.append(origin)
    wildcard = WILDCARD in kept
    return Origins(tuple(o for o in kept if o != WILDCARD), wildcard, tuple(respelled))


def looks_like_origins(value: str) -> bool:
    """Every item is ``*`` or starts with http(s):// (what a CORS origins variable holds)."""
    items = [item.strip() for item in value.split(",") if item.strip()]
    return bool(items) and all(
        item == WILDCARD or item.lower().startswith(("http://", "https://")) for item in items)
