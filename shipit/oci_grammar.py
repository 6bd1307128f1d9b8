"""Registry hosts and repository names as the OCI distribution grammar defines them.

From distribution/reference (``reference.go``)::

    domain-and-port  := domain [':' port-number]
    domain           := domain-name | '[' IPv6 ']'
    domain-name      := domain-component ('.' domain-component)*
    domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
    path-component   := alpha-numeric (separator alpha-numeric)*
    alpha-numeric    := /[a-z0-9]+/
    separator        := /[_.]|__|[-]+/
    tag              := /[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,127}/

A name is at most 255 characters. Anything outside the grammar (a comma, a space, ``=``) is
refused, which is also what keeps a registry name from smuggling options into a builder's
comma-separated ``key=value`` arguments.
"""

from __future__ import annotations

import re

_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[0-9A-Fa-f:.]+\])"
_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[_.]|__|-+)[a-z0-9]+)*"
REPOSITORY = re.compile(rf"^{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*$")
REGISTRY = re.compile(rf"^(?P<domain>{_DOMAIN})(?::(?P<port>[0-9]+))?"
                      rf"(?P<namespace>(?:/{_PATH_COMPONENT})*)$")
NAME_MAX = 255
# The tag grammar above: what a registry and ECR accept.
TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")


def registry_problem(value: str) -> str | None:
    """Why ``value`` is not a registry host[:port][/namespace], or None."""
    match = REGISTRY.match(value)
    if match is None:
        bad = sorted({c for c in value if not (c.isascii() and (c.isalnum() or c in ".-:/_[]"))})
        shown = f" (it contains {', '.join(repr(c) for c in bad)})" if bad else ""
        return (f"{value!r} is not a registry host{shown}; use host[:port][/namespace], e.g."
                " 127.0.0.1:5000 or 123456789012.dkr.ecr.us-east-1.amazonaws.com")
    port = match["port"]
    if port is not None and not 0 < int(port) < 65536:
        return f"{value!r}: port {port} is not between 1 and 65535"
    if len(value) > NAME_MAX:
        return f"registry name is {len(value)} characters long; at most {NAME_MAX}"
    return None


def tag_problem(value: str) -> str | None:
    """Why ``value`` is not an image tag (``1a2b3c4``, ``v1.2.0``), or None."""
    if TAG.fullmatch(value):
        return None
    if not value:
        return "the tag is empty"
    if len(value) > 128:
        return f"the tag is {len(value)} characters long; at most 128"
    return (f"{value[:80]!r} is not an image tag: letters, digits, '_', '.' and '-' only, not"
            " starting with '.' or '-' (no spaces, ':' or '/')")


def repository_problem(value: str) -> str | None:
    """Why ``value`` is not a repository name (``team/articles``), or None."""
    if not REPOSITORY.match(value):
        return (f"{value!r} is not a repository name; use lowercase letters and digits"
                " separated by '.', '_', '__' or '-', and '/' between parts, e.g. team/articles")
    if len(value) > NAME_MAX:
        return f"repository name is {len(value)} characters long; at most {NAME_MAX}"
    return None
