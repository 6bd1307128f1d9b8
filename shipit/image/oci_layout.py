"""Read an image from an OCI image layout directory (``index.json`` + ``blobs/sha256/...``).

``buildah manifest push --all LIST oci:DIR:TAG`` and ``docker buildx build --output
type=oci,tar=false`` write one; the verifier reads unpushed builds from it.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from shipit.errors import Failed
from shipit.image.manifest import RawManifest, sha256_digest
from shipit.image.source import DigestCheckingReader

_REF_NAME = "org.opencontainers.image.ref.name"
_CHUNK = 1024 * 1024


class OciLayoutSource:
    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def name(self) -> str:
        return f"oci:{self.path}"

    def tags(self) -> list[str]:
        return [
            str(d["annotations"][_REF_NAME])
            for d in self._entries()
            if _REF_NAME in (d.get("annotations") or {})
        ]

    def manifest(self, reference: str) -> RawManifest:
        if reference.startswith("sha256:"):
            digest, media_type = reference, ""
        else:
            digest, media_type = self._resolve_tag(reference)
        body = self._blob_path(digest).read_bytes()
        if sha256_digest(body) != digest:
            raise Failed(f"manifest {digest} in {self.name} does not match its digest")
        if not media_type:
            media_type = str(json.loads(body).get("mediaType") or "")
        return RawManifest(body=body, media_type=media_type, digest=digest)

    @contextmanager
    def open_blob(self, digest: str) -> Iterator[BinaryIO]:
        path = self._blob_path(digest)
        with path.open("rb") as file:
            chunks = iter(lambda: file.read(_CHUNK), b"")
            yield io.BufferedReader(DigestCheckingReader(chunks, digest, self.name), _CHUNK)

    def has_blob(self, digest: str) -> bool:
        try:
            self._blob_path(digest)
        except Failed:
            return False
        return True

    def _entries(self) -> list[dict[str, Any]]:
        index = self.path / "index.json"
        if not index.is_file():
            raise Failed(f"{self.path} is not an OCI image layout (no index.json)")
        data = json.loads(index.read_text(encoding="utf-8"))
        entries = data.get("manifests") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise Failed(f"{index} lists no manifests")
        return [e for e in entries if isinstance(e, dict)]

    def _resolve_tag(self, tag: str) -> tuple[str, str]:
        for entry in self._entries():
            if (entry.get("annotations") or {}).get(_REF_NAME) == tag:
                return str(entry["digest"]), str(entry.get("mediaType") or "")
        known = ", ".join(self.tags()) or "none"
        raise Failed(f"tag {tag!r} is not in {self.name} (tags: {known})")

    def _blob_path(self, digest: str) -> Path:
        algorithm, _, hex_digest = digest.partition(":")
        path = self.path / "blobs" / algorithm / hex_digest
        if algorithm != "sha256" or "/" in hex_digest or not path.is_file():
            raise Failed(f"blob {digest} is missing from {self.name}")
        return path
