"""Read an image's layers (tar; gzip or zstd) into a FileTree, applying whiteouts in order.

Whiteouts follow the OCI image spec: ``.wh.NAME`` deletes NAME from lower layers and
``.wh..wh..opq`` empties its directory of lower layers' entries. zstd layers go through the
``zstd`` command (no Python module needed); gzip and plain tar are read in-process.
"""

from __future__ import annotations

import posixpath
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, BinaryIO, cast

from shipit.build.filetree import HEAD_BYTES, FileTree, Node, NodeKind, normalize
from shipit.build.manifest import ImageManifest
from shipit.build.source import ImageSource
from shipit.errors import EnvironmentProblem, Failed

_GZIP = b"\x1f\x8b"
_ZSTD = b"\x28\xb5\x2f\xfd"
_CHUNK = 1024 * 1024
_WHITEOUT = ".wh."
_OPAQUE = ".wh..wh..opq"


def read_tree(source: ImageSource, manifest: ImageManifest) -> tuple[FileTree, int]:
    """The merged file system of ``manifest``'s layers, and their total uncompressed size."""
    tree = FileTree()
    total = 0
    for layer in manifest.layers:
        with source.open_blob(layer.digest) as blob:
            try:
                total += apply_layer(tree, blob)
            except (tarfile.TarError, EOFError, OSError) as exc:
                raise Failed(
                    f"layer {layer.digest} of {source.name} is not a readable tar: {exc}"
                ) from None
            blob.read()  # the rest (tar padding) so the digest check sees every byte
    return tree, total


def apply_layer(tree: FileTree, blob: BinaryIO) -> int:
    """Apply one layer (compressed or not) on top of ``tree``; return its tar size in bytes."""
    with _decompressed(blob) as stream:
        counted = _Counting(stream)
        with tarfile.open(fileobj=counted, mode="r|") as tar:  # type: ignore[call-overload]
            added: set[str] = set()
            for member in tar:
                _apply_member(tree, tar, member, added)
        while counted.read(_CHUNK):  # the end-of-archive padding counts too
            pass
        return counted.count


class _Counting:
    """A read-only stream that counts the bytes read through it."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self.count += len(data)
        return data


def _apply_member(tree: FileTree, tar: tarfile.TarFile, member: tarfile.TarInfo,
                  added: set[str]) -> None:
    path = normalize(member.name)
    parent, base = posixpath.split(path)
    if base == _OPAQUE:
        tree.clear_dir(parent, keep=added)
        return
    if base.startswith(_WHITEOUT):
        tree.remove(posixpath.join(parent, base[len(_WHITEOUT) :]))
        return
    added.add(path)
    if member.islnk():
        # A hard link names an earlier member of the same archive: it is that file again.
        linked = tree.get(normalize(member.linkname))
        tree.put(path, linked if linked is not None else Node("file", mode=member.mode))
        return
    head = b""
    if member.isfile():
        extracted = tar.extractfile(member)
        head = extracted.read(HEAD_BYTES) if extracted is not None else b""
    kind: NodeKind = (
        "file" if member.isfile() else
        "dir" if member.isdir() else
        "symlink" if member.issym() else "other"
    )
    tree.put(path, Node(kind, mode=member.mode, target=member.linkname if member.issym() else "",
                        head=head, size=member.size))


@contextmanager
def _decompressed(blob: BinaryIO) -> Iterator[IO[bytes]]:
    magic = _peek(blob, 4)
    if magic.startswith(_GZIP):
        import gzip

        with gzip.GzipFile(fileobj=blob, mode="rb") as stream:
            yield cast(IO[bytes], stream)
    elif magic.startswith(_ZSTD):
        with _zstd_stream(blob) as stream:
            yield stream
    else:
        yield blob


def _peek(blob: BinaryIO, size: int) -> bytes:
    peek = getattr(blob, "peek", None)
    if peek is None:
        raise TypeError("layer streams must be buffered (io.BufferedReader)")
    data: bytes = peek(size)
    return data[:size]


@contextmanager
def _zstd_stream(blob: BinaryIO) -> Iterator[IO[bytes]]:
    zstd = shutil.which("zstd")
    if zstd is None:
        raise EnvironmentProblem(
            "a zstd-compressed layer needs the zstd command to be read",
            hint="apt-get install zstd",
        )
    with tempfile.TemporaryFile() as spool:
        shutil.copyfileobj(blob, spool)
        spool.seek(0)
        process = subprocess.Popen([zstd, "-dc"], stdin=spool, stdout=subprocess.PIPE)
        assert process.stdout is not None
        try:
            yield process.stdout
            process.stdout.read()
        finally:
            process.stdout.close()
            if process.wait() != 0:
                raise Failed("zstd could not decompress a layer")
