"""Which platforms a manifest (OCI index, Docker list or single image) says it holds. Pure."""

from __future__ import annotations

import json
from typing import Any

INDEX_TYPES = frozenset({
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
})


class ManifestError(ValueError):
    """The text is not a manifest shipit can read."""


def manifest_platforms(manifest: str, media_type: str | None = None) -> tuple[str, ...] | None:
    """``("linux/amd64", "linux/arm64")`` for a list/index; None for a single-image manifest.

    Attestation entries (``unknown/unknown``, as buildx writes them) are not platforms.
    ``linux/arm64/v8`` counts as ``linux/arm64``: v8 is the only arm64 variant.
    """
    try:
        data: Any = json.loads(manifest)
    except json.JSONDecodeError as exc:
        raise ManifestError(f"not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ManifestError("a manifest is a JSON object")
    entries = data.get("manifests")
    kind = data.get("mediaType") or media_type or ""
    if not isinstance(entries, list) and ("layers" in data or kind not in INDEX_TYPES):
        return None
    platforms: list[str] = []
    for entry in entries or []:
        platform = entry.get("platform") if isinstance(entry, dict) else None
        name = _platform_name(platform) if isinstance(platform, dict) else None
        if name and name not in platforms:
            platforms.append(name)
    return tuple(platforms)


def _platform_name(platform: dict[str, Any]) -> str | None:
    os_name, arch = platform.get("os"), platform.get("architecture")
    if not os_name or not arch or "unknown" in (os_name, arch):
        return None
    variant = platform.get("variant")
    if variant and not (arch == "arm64" and variant == "v8"):
        return f"{os_name}/{arch}/{variant}"
    return f"{os_name}/{arch}"
