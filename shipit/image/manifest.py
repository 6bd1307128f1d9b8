"""OCI and Docker manifests, indexes and image configs: media types and pure parsing.

Both families are accepted everywhere: an OCI index or a Docker manifest list on top, OCI or
Docker v2 image manifests below. Attestation entries (BuildKit's provenance, platform
``unknown/unknown``) are kept apart from the runnable images.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from shipit.errors import Failed

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
INDEX_TYPES = (OCI_INDEX, DOCKER_LIST)
MANIFEST_TYPES = (OCI_MANIFEST, DOCKER_MANIFEST)
ACCEPT = ", ".join((*INDEX_TYPES, *MANIFEST_TYPES))
"""Send all four: a registry answers 404 for an index if only single-image types are accepted."""

_ATTESTATION_KEY = "vnd.docker.reference.type"


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class RawManifest:
    """A manifest's bytes exactly as stored, with its media type and content digest."""

    body: bytes
    media_type: str
    digest: str


@dataclass(frozen=True)
class Descriptor:
    media_type: str
    digest: str
    size: int
    os: str | None = None
    architecture: str | None = None
    variant: str | None = None
    annotations: dict[str, str] = field(default_factory=dict)

    @property
    def platform_text(self) -> str:
        parts = [self.os or "unknown", self.architecture or "unknown"]
        return "/".join(parts + ([self.variant] if self.variant else []))

    @property
    def is_attestation(self) -> bool:
        return _ATTESTATION_KEY in self.annotations or self.platform_text == "unknown/unknown"


@dataclass(frozen=True)
class ImageIndex:
    digest: str
    media_type: str
    manifests: list[Descriptor]

    @property
    def images(self) -> list[Descriptor]:
        """The runnable per-platform entries (attestations left out)."""
        return [d for d in self.manifests if not d.is_attestation]


@dataclass(frozen=True)
class ImageManifest:
    digest: str
    media_type: str
    config: Descriptor
    layers: list[Descriptor]

    @property
    def compressed_size(self) -> int:
        return sum(layer.size for layer in self.layers) + self.config.size


@dataclass(frozen=True)
class ImageConfig:
    os: str
    architecture: str
    variant: str | None
    entrypoint: list[str]
    cmd: list[str]
    env: list[str]
    working_dir: str
    user: str
    labels: dict[str, str]
    diff_ids: list[str]

    @property
    def argv(self) -> list[str]:
        """What the container runs: ENTRYPOINT followed by CMD (as Docker and ECS do)."""
        return [*self.entrypoint, *self.cmd]

    @property
    def env_map(self) -> dict[str, str]:
        pairs = (item.split("=", 1) for item in self.env)
        return {p[0]: (p[1] if len(p) > 1 else "") for p in pairs}


def parse_manifest(raw: RawManifest) -> ImageIndex | ImageManifest:
    """An index/list or an image manifest, told apart by media type (or by its fields)."""
    data = _json(raw.body, f"manifest {raw.digest}")
    media_type = str(data.get("mediaType") or raw.media_type or "")
    if media_type in INDEX_TYPES or (not media_type and "manifests" in data):
        return ImageIndex(
            digest=raw.digest,
            media_type=media_type or OCI_INDEX,
            manifests=[_descriptor(d) for d in data.get("manifests") or []],
        )
    if media_type in MANIFEST_TYPES or (not media_type and "layers" in data):
        if not isinstance(data.get("config"), dict):
            raise Failed(f"manifest {raw.digest} has no config descriptor")
        return ImageManifest(
            digest=raw.digest,
            media_type=media_type or OCI_MANIFEST,
            config=_descriptor(data["config"]),
            layers=[_descriptor(d) for d in data.get("layers") or []],
        )
    raise Failed(f"manifest {raw.digest} has an unsupported media type {media_type!r}")


def parse_config(body: bytes, digest: str = "") -> ImageConfig:
    data = _json(body, f"image config {digest}".strip())
    config = data.get("config") or {}
    rootfs = data.get("rootfs") or {}
    return ImageConfig(
        os=str(data.get("os") or ""),
        architecture=str(data.get("architecture") or ""),
        variant=data.get("variant"),
        entrypoint=list(config.get("Entrypoint") or []),
        cmd=list(config.get("Cmd") or []),
        env=list(config.get("Env") or []),
        working_dir=str(config.get("WorkingDir") or "/"),
        user=str(config.get("User") or ""),
        labels=dict(config.get("Labels") or {}),
        diff_ids=list(rootfs.get("diff_ids") or []),
    )


def _descriptor(data: Any) -> Descriptor:
    if not isinstance(data, dict) or "digest" not in data:
        raise Failed(f"malformed descriptor in a manifest: {data!r:.200}")
    platform = data.get("platform") or {}
    return Descriptor(
        media_type=str(data.get("mediaType") or ""),
        digest=str(data["digest"]),
        size=int(data.get("size") or 0),
        os=platform.get("os"),
        architecture=platform.get("architecture"),
        variant=platform.get("variant"),
        annotations=dict(data.get("annotations") or {}),
    )


def _json(body: bytes, what: str) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Failed(f"{what} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise Failed(f"{what} is not a JSON object")
    return data
