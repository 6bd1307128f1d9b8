"""Which layers a push really uploads: the image's layer blobs, less those the repository has.

The built image's manifests are read where the build left them (its OCI layout, or the registry
``shipit build --push`` wrote to); each layer (and config) is then asked of the target
repository with a blob HEAD (what ECR authorizes as ``ecr:BatchCheckLayerAvailability``); this
is what lets push say "n of m layers uploaded, x MB". When the repository holds every blob,
``put_manifests`` writes the manifests themselves (byte for byte, so the same digests): the
builder would otherwise compress every layer again just to learn digests it cannot look up for
a registry it has not pushed to before (buildah 1.28: ~10 s for the sample image).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx

from shipit.aws.ecr import RegistryLogin
from shipit.errors import ShipitError
from shipit.image.manifest import ImageIndex, ImageManifest, parse_manifest
from shipit.image.oci_layout import OciLayoutSource
from shipit.image.registry import RegistryClient, RegistrySource, split_reference
from shipit.image.registry_auth import registry_login
from shipit.image.source import ImageSource
from shipit.push.target import Destination


@dataclass(frozen=True)
class Blob:
    digest: str
    size: int


@dataclass(frozen=True)
class LayerCount:
    uploaded: int
    total: int
    uploaded_bytes: int

    @property
    def text(self) -> str:
        return (f"{self.uploaded} of {self.total} layers uploaded,"
                f" {self.uploaded_bytes / 1e6:.1f} MB")


def image_layers(source: ImageSource, reference: str) -> list[Blob]:
    """Every layer blob of every platform of ``reference``, each once, bottom first."""
    top = parse_manifest(source.manifest(reference))
    manifests = [parse_manifest(source.manifest(d.digest)) for d in top.images] \
        if isinstance(top, ImageIndex) else [top]
    seen: dict[str, Blob] = {}
    for manifest in manifests:
        if isinstance(manifest, ImageManifest):
            for layer in manifest.layers:
                seen.setdefault(layer.digest, Blob(layer.digest, layer.size))
    return list(seen.values())


def missing_layers(client: RegistryClient, repository: str, layers: list[Blob]) -> list[Blob]:
    """The layers the repository does not hold (one HEAD each)."""
    return [b for b in layers if not client.has_blob(repository, b.digest)]


class LayerInventory:
    """The built image's layers (from its layout or build registry) against a target."""

    def __init__(self, source: ImageSource, reference: str, http: httpx.Client) -> None:
        self._source = source
        self._top = source.manifest(reference)
        self._layers = image_layers(source, reference)
        self._http = http

    @classmethod
    def of_build(cls, layout: str | None, ref: str | None, tag: str,
                 http: httpx.Client) -> LayerInventory | None:
        """From the receipt's OCI layout, else its pushed ref; None when neither is readable."""
        try:
            if layout and Path(layout, "index.json").is_file():
                return cls(OciLayoutSource(Path(layout)), tag, http)
            if ref:
                host, repository, reference = split_reference(ref)
                client = RegistryClient(host, http, registry_login(host))  # the build's login
                return cls(RegistrySource(client, repository), reference, http)
        except (ShipitError, OSError):  # a count we cannot make is not a failed push
            return None
        return None

    @property
    def digest(self) -> str:
        """The digest of the manifests it would write (the build's index, as read)."""
        return self._top.digest

    @property
    def layers(self) -> list[Blob]:
        return list(self._layers)

    def missing(self, target: Destination, login: RegistryLogin) -> list[Blob]:
        """The layers ``target`` lacks; a missing config counts as a missing (tiny) layer."""
        client = self._client(target, login)
        return missing_layers(client, target.repository, [*self._layers, *self._configs()])

    def put_manifests(self, target: Destination, login: RegistryLogin, tag: str) -> str:
        """Write every platform's manifest (by digest), then the index under ``tag``; the
        digest written. Only when the repository holds every blob (``missing`` was empty)."""
        client = self._client(target, login)
        top = parse_manifest(self._top)
        if isinstance(top, ImageIndex):
            for entry in top.images:
                raw = self._source.manifest(entry.digest)
                client.put_manifest(target.repository, entry.digest, raw.body, raw.media_type)
        client.put_manifest(target.repository, tag, self._top.body, self._top.media_type)
        return self._top.digest

    def _configs(self) -> list[Blob]:
        top = parse_manifest(self._top)
        manifests = [parse_manifest(self._source.manifest(d.digest)) for d in top.images] \
            if isinstance(top, ImageIndex) else [top]
        return [Blob(m.config.digest, m.config.size) for m in manifests
                if isinstance(m, ImageManifest)]

    def _client(self, target: Destination, login: RegistryLogin) -> RegistryClient:
        return RegistryClient(target.host, self._http,
                              auth=httpx.BasicAuth(login.username, login.password))


def count(layers: list[Blob], missing: list[Blob]) -> LayerCount:
    """Layers only: a missing config is uploaded too, but is not one of the m layers."""
    known = {b.digest for b in layers}
    uploaded = [b for b in missing if b.digest in known]
    return LayerCount(len(uploaded), len(layers), sum(b.size for b in uploaded))
