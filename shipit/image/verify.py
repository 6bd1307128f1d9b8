"""Verify a built image from where it lives (a registry or an OCI layout): gather, then judge.

``verify_image`` reads the manifest list, each platform's manifest and config and, when
``deep``, its layers; the pure checks of ``checks`` judge them. Every platform is checked and
every finding reported, even after a failure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from shipit.errors import Failed
from shipit.image.checks import (
    Finding,
    check_config,
    check_executable,
    check_native_files,
    check_platforms,
)
from shipit.image.layers import LayerCache, read_tree
from shipit.image.manifest import (
    Descriptor,
    ImageIndex,
    ImageManifest,
    parse_config,
    parse_manifest,
)
from shipit.image.platforms import Platform, parse_platform
from shipit.image.source import ImageSource, read_blob


@dataclass
class PlatformImage:
    platform: str
    digest: str
    """The platform's image manifest digest (what an ECS task pulls on that CPU)."""
    config_digest: str
    compressed_size: int
    uncompressed_size: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Verification:
    source: str
    reference: str
    digest: str
    """The manifest list's digest."""
    media_type: str
    images: list[PlatformImage] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.findings)

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if not f.ok]

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "source": self.source,
            "reference": self.reference,
            "digest": self.digest,
            "media_type": self.media_type,
            "images": [i.to_dict() for i in self.images],
            "findings": [f.to_dict() for f in self.findings],
        }


class VerificationFailed(Failed):
    """The image is wrong for at least one platform; ``verification`` holds every finding."""

    def __init__(self, verification: Verification) -> None:
        lines = [f.message for f in verification.failures]
        super().__init__(
            "image verification failed: " + "; ".join(lines),
            hint="build each platform's final stage FROM --platform=$TARGETPLATFORM; "
            "see the findings for the binary at fault",
        )
        self.verification = verification

    def to_dict(self) -> dict[str, object]:
        data = super().to_dict()
        data["verification"] = self.verification.to_dict()
        return data


def verify_image(source: ImageSource, reference: str, requested: Sequence[Platform],
                 *, deep: bool = True, cache: LayerCache | None = None) -> Verification:
    """Read ``reference`` from ``source`` and check it for ``requested`` platforms.

    ``deep`` reads every layer (``cache`` spares reading a layer seen before, by digest).
    """
    raw = source.manifest(reference)
    top = parse_manifest(raw)
    result = Verification(source.name, reference, raw.digest, raw.media_type)
    if isinstance(top, ImageManifest):
        result.findings.append(Finding(
            "platforms", False,
            f"{source.name} {reference} is a single-platform image, not a manifest list "
            f"of {', '.join(map(str, requested))}"))
        return result
    result.findings.extend(check_platforms(top, requested))
    for descriptor in _wanted(top, requested):
        result.findings.extend(_verify_platform(source, descriptor, result, deep, cache))
    return result


def require_verified(verification: Verification) -> Verification:
    if not verification.ok:
        raise VerificationFailed(verification)
    return verification


def _wanted(index: ImageIndex, requested: Sequence[Platform]) -> list[Descriptor]:
    names = {str(p) for p in requested}
    return [d for d in index.images if f"{d.os}/{d.architecture}" in names]


def _verify_platform(source: ImageSource, descriptor: Descriptor, result: Verification,
                     deep: bool, cache: LayerCache | None) -> list[Finding]:
    platform = parse_platform(f"{descriptor.os}/{descriptor.architecture}")
    try:
        manifest = parse_manifest(source.manifest(descriptor.digest))
        if not isinstance(manifest, ImageManifest):
            return [Finding("read", False, f"{platform}: entry {descriptor.digest} is not an "
                            "image manifest", str(platform))]
        config = parse_config(read_blob(source, manifest.config.digest), manifest.config.digest)
        image = PlatformImage(str(platform), descriptor.digest, manifest.config.digest,
                              manifest.compressed_size)
        result.images.append(image)
        findings = [check_config(descriptor, config)]
        if deep:
            tree, image.uncompressed_size = read_tree(source, manifest, cache)
            findings.append(check_executable(platform, config, tree))
            findings.append(check_native_files(platform, tree))
        return findings
    except Failed as exc:
        return [Finding("read", False, f"{platform}: {exc.message}", str(platform))]
