"""Where a built image can be read back: the interface the verifier and ``shipit push`` share.

Two implementations: ``registry.RegistrySource`` (the registry's HTTP API, what gets deployed)
and ``oci_layout.OciLayoutSource`` (an OCI image layout directory on disk, for unpushed builds).
Blobs are checked against their digest as they are read.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import BinaryIO, Protocol

from shipit.errors import Failed
from shipit.image.manifest import RawManifest

CONFIG_LIMIT = 8 * 1024 * 1024
"""Image configs are a few KB; refuse to hold anything large in memory as one."""


class ImageSource(Protocol):
    @property
    def name(self) -> str:
        """Where this reads from, for messages: ``127.0.0.1:5000/articles`` or ``oci:/path``."""
        ...

    def manifest(self, reference: str) -> RawManifest:
        """The manifest (or index) for a tag or a ``sha256:`` digest; Failed if it is absent."""
        ...

    def open_blob(self, digest: str) -> AbstractContextManager[BinaryIO]:
        """A stream of the blob's bytes; reading it to the end checks the digest."""
        ...

    def has_blob(self, digest: str) -> bool:
        """Whether the blob is there, without reading it."""
        ...


def read_blob(source: ImageSource, digest: str, limit: int = CONFIG_LIMIT) -> bytes:
    """A small blob (an image config) as bytes, digest-checked."""
    with source.open_blob(digest) as stream:
        data = stream.read(limit + 1)
        if len(data) > limit:
            raise Failed(f"blob {digest} in {source.name} is larger than {limit} bytes")
        stream.read()
    return data


class DigestCheckingReader(io.RawIOBase):
    """Wraps chunks of a blob; at the end, raises Failed if their sha256 is not ``digest``."""

    def __init__(self, chunks: Iterator[bytes], digest: str, where: str) -> None:
        algorithm, _, expected = digest.partition(":")
        if algorithm != "sha256" or len(expected) != 64:
            raise Failed(f"unsupported digest {digest!r} in {where}")
        self._chunks = chunks
        self._expected = expected
        self._digest = digest
        self._where = where
        self._hash = hashlib.sha256()
        self._pending = b""
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._pending and not self._done:
            try:
                chunk = next(self._chunks)
            except StopIteration:
                self._done = True
                self._check()
                break
            self._hash.update(chunk)
            self._pending = chunk
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def _check(self) -> None:
        if self._hash.hexdigest() != self._expected:
            raise Failed(
                f"blob {self._digest} from {self._where} does not match its digest "
                f"(got sha256:{self._hash.hexdigest()}); the stored image is corrupt"
            )
