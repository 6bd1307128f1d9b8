"""Which platforms a manifest (OCI index, Docker list or single image) says it holds.

Parsing is shipit.image.manifest's; this only names the platforms the way the receipt does.
"""

from __future__ import annotations

from shipit.errors import Failed
from shipit.image.manifest import Descriptor, ImageManifest, RawManifest, parse_manifest
from shipit.image.manifest import sha256_digest as content_digest


class ManifestError(ValueError):
    """The text is not a manifest shipit can read."""


def manifest_platforms(manifest: str, media_type: str | None = None) -> tuple[str, ...] | None:
    """``("linux/amd64", "linux/arm64")`` for a list/index; None for a single-image manifest.

    Attestation entries (``unknown/unknown``, as buildx writes them) are not platforms.
    ``linux/arm64/v8`` counts as ``linux/arm64``: v8 is the only arm64 variant.
    """
    body = manifest.encode()
    try:
        parsed = parse_manifest(RawManifest(body, media_type or "", content_digest(body)))
    except Failed as exc:
        raise ManifestError(exc.message) from None
    if isinstance(parsed, ImageManifest):
        return None
    return tuple(dict.fromkeys(_name(entry) for entry in parsed.images))


def _name(entry: Descriptor) -> str:
    if entry.architecture == "arm64" and entry.variant == "v8":
        return f"{entry.os}/arm64"
    return entry.platform_text
