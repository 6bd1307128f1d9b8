"""Image references and ECR registry hosts: the one grammar every package parses them with.

A reference is ``[host[:port]/]repository[:tag][@sha256:<64 hex>]``. The first path segment is
a host when it has a ``.`` or a ``:``, or is ``localhost`` (the rule docker and containers/image
use); otherwise the reference has no host (docker.io, for those who need one).

An ECR registry host is ``<12-digit account>.dkr.ecr.<region>.amazonaws.com`` with these
variants, each optionally followed by ``:port``:

- ``.amazonaws.com.cn`` in the China regions;
- ``dkr.ecr-fips`` (FIPS endpoints in the US and GovCloud regions);
- ``dkr-ecr`` and ``dkr-ecr-fips`` under ``.amazonaws.com`` (older GovCloud spelling) and under
  ``.on.aws`` (the IPv4 + IPv6 dual-stack endpoints).

tests/core/test_image_ref.py holds the table of every form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shipit.arn import REGION_PATTERN
from shipit.errors import UsageError
from shipit.oci_grammar import tag_problem

_REGION = f"(?P<region>{REGION_PATTERN})"
ECR_HOST_PATTERN = (
    r"(?P<account>\d{12})\.dkr[.-]ecr(?:-fips)?\." + _REGION
    + r"\.(?:amazonaws\.com(?:\.cn)?|on\.aws)(?::\d{1,5})?"
)
"""The ECR host grammar as a regular expression (groups ``account`` and ``region``)."""
_ECR_HOST = re.compile(f"^{ECR_HOST_PATTERN}$")
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


@dataclass(frozen=True)
class EcrHost:
    account: str
    region: str


@dataclass(frozen=True)
class ImageRef:
    """The parts of an image reference; ``host`` is None when it names none."""

    host: str | None
    repository: str
    tag: str | None
    digest: str | None

    @property
    def reference(self) -> str:
        """The tag or digest a registry looks up (the digest wins; ``latest`` when neither)."""
        return self.digest or self.tag or "latest"

    @property
    def ecr(self) -> EcrHost | None:
        return parse_ecr_host(self.host) if self.host else None


def parse_ecr_host(host: str) -> EcrHost | None:
    """The account and region of an ECR registry host, or None for any other registry."""
    match = _ECR_HOST.match(host.strip().lower())
    return EcrHost(match["account"], match["region"]) if match else None


def ecr_host(account: str, region: str) -> str:
    """The registry host ECR gives ``account`` in ``region`` (``.com.cn`` in China)."""
    suffix = ".amazonaws.com.cn" if region.startswith("cn-") else ".amazonaws.com"
    return f"{account}.dkr.ecr.{region}{suffix}"


def split_image(reference: str) -> ImageRef:
    """Split without judging (pure): a task definition's image is what AWS accepted."""
    rest, at, digest = reference.partition("@")
    host: str | None = None
    first, slash, tail = rest.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        host, rest = first, tail
    tag: str | None = None
    if ":" in rest.rsplit("/", 1)[-1]:
        rest, tag = rest.rsplit(":", 1)
    return ImageRef(host, rest, tag, digest if at else None)


def parse_image(reference: str) -> ImageRef:
    """``[host/]repo[:tag][@sha256:...]`` split and checked; a malformed one is a UsageError."""
    parsed = split_image(reference)
    if not parsed.repository or (parsed.digest is not None and not _DIGEST.match(parsed.digest)):
        raise UsageError(f"{reference!r} is not an image reference",
                         hint="use REGISTRY/REPOSITORY:TAG or REGISTRY/REPOSITORY@sha256:DIGEST")
    if parsed.tag is not None:
        check_tag(parsed.tag, option="--image")
    return parsed


def check_tag(tag: str, *, option: str = "--tag") -> str:
    """``tag`` when the registry's tag grammar allows it; else a UsageError (exit 2)."""
    problem = tag_problem(tag)
    if problem is not None:
        raise UsageError(f"{option}: {problem}",
                         hint="a tag is 1-128 of A-Z a-z 0-9 _ . - (not starting with . or -),"
                         " e.g. 1a2b3c4 or v1.2.0")
    return tag
