"""What an OCI layout of synthetic images holds, read back with shipit's own parsers."""

from __future__ import annotations

from pathlib import Path

from shipit.image.manifest import ImageIndex, ImageManifest, parse_manifest
from shipit.image.oci_layout import OciLayoutSource


def config_digests(path: Path, tag: str) -> dict[str, str]:
    """Platform -> config digest (buildah's image id) of each image under ``tag``."""
    source = OciLayoutSource(path)
    index = parse_manifest(source.manifest(tag))
    assert isinstance(index, ImageIndex)
    configs = {}
    for entry in index.manifests:
        manifest = parse_manifest(source.manifest(entry.digest))
        assert isinstance(manifest, ImageManifest)
        configs[entry.platform_text] = manifest.config.digest
    return configs
