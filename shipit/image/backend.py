"""What every builder is given and gives back, and how one is chosen.

A builder turns a BuildRequest into ONE manifest list covering every requested platform, either
pushed to a registry or written to an OCI layout directory, and says where to read it back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import httpx

from shipit.image.oci_layout import OciLayoutSource
from shipit.image.platforms import Platform
from shipit.image.registry import RegistryClient, RegistrySource
from shipit.image.registry_auth import registry_login
from shipit.image.runner import LineSink
from shipit.image.source import ImageSource
from shipit.image.tags import ImageName
from shipit.net import is_loopback_hostport as is_loopback


@dataclass(frozen=True)
class BuildRequest:
    context: Path
    dockerfile: Path
    platforms: list[Platform]
    host: Platform
    """The build machine's platform: where every RUN step runs."""
    image: ImageName
    labels: Mapping[str, str]
    build_args: Mapping[str, str]
    secrets: Mapping[str, Path]
    """Build secrets by id, e.g. {"ca": /etc/ssl/certs/ca-certificates.crt}; files, never logged."""
    push: bool
    layout_dir: Path
    """Where an unpushed build is written as an OCI image layout."""
    source_date_epoch: int | None = None
    """Stamp every time in the image with this (the commit's time): a reproducible build."""
    no_cache: bool = False
    """Build every step again (the second build of --check-reproducible)."""
    local_name: str | None = None
    """The manifest list's name in local storage (default: the first ref)."""

    def tls_verify(self) -> bool:
        """False only for a loopback registry, which speaks plain HTTP."""
        return not (self.image.registry and is_loopback(self.image.registry))


@dataclass(frozen=True)
class RegistryLocation:
    host: str
    repository: str
    reference: str

    def __str__(self) -> str:
        separator = "@" if self.reference.startswith("sha256:") else ":"
        return f"{self.host}/{self.repository}{separator}{self.reference}"


@dataclass(frozen=True)
class LayoutLocation:
    path: Path
    reference: str
    """A tag in the layout's index.json, or a digest."""

    def __str__(self) -> str:
        return f"oci:{self.path}:{self.reference}"


ImageLocation = RegistryLocation | LayoutLocation


@dataclass
class BuildOutcome:
    builder: str
    location: ImageLocation
    digest: str | None
    """The manifest list digest as the builder reported it (checked against the read-back)."""
    pushed_refs: list[str] = field(default_factory=list)
    local_list: str | None = None
    """The manifest list's name in the builder's local storage (buildah)."""
    local_images: dict[str, str] = field(default_factory=dict)
    """Platform -> image id in local storage, for --smoke without a registry."""
    timings: dict[str, float] = field(default_factory=dict)


class Builder(Protocol):
    name: str

    def available(self) -> bool:
        """Whether this builder can run on this machine."""
        ...

    def build(self, request: BuildRequest, log: LineSink) -> BuildOutcome:
        ...

    def inputs(self, request: BuildRequest, git_sha: str) -> str | None:
        """The digest of what a reproducible build is made from (shipit.image.unchanged), or
        None when this builder cannot say (then every build runs)."""
        ...

    def reuse(self, request: BuildRequest, images: Mapping[str, str]) -> BuildOutcome | None:
        """The last build's outcome when its images (platform -> image id) are all still
        where it left them, else None."""
        ...


def open_source(location: ImageLocation, http: httpx.Client) -> ImageSource:
    """Where the verifier reads a build back from."""
    if isinstance(location, RegistryLocation):
        client = RegistryClient(location.host, http, registry_login(location.host))
        return RegistrySource(client, location.repository)
    return OciLayoutSource(location.path)
