"""Read an image's layers (tar; gzip or zstd) into a FileTree, applying whiteouts in order.

Whiteouts follow the OCI image spec: ``.wh.NAME`` deletes NAME from lower layers and
``.wh..wh..opq`` empties its directory of lower layers' entries. zstd layers go through the
``zstd`` command (no Python module needed); gzip and plain tar are read in-process.
"""

from __future__ import annotations

import base64
import json
import os
import posixpath
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO, Literal, cast

from shipit.errors import EnvironmentProblem, Failed
from shipit.image.filetree import HEAD_BYTES, FileTree, Node, NodeKind, normalize
from shipit.image.manifest import ImageManifest
from shipit.image.source import ImageSource

_GZIP = b"\x1f\x8b"
_ZSTD = b"\x28\xb5\x2f\xfd"
_CHUNK = 1024 * 1024
_WHITEOUT = ".wh."
_OPAQUE = ".wh..wh..opq"


Op = tuple[Literal["put", "remove", "opaque"], str, Node | None]
"""("put", path, node) | ("remove", path, None) for .wh.NAME | ("opaque", dir, None)."""


@dataclass(frozen=True)
class LayerChanges:
    """What one layer does to the tree below it, in archive order, and its tar size."""

    ops: list[Op]
    size: int


def read_tree(source: ImageSource, manifest: ImageManifest,
              cache: LayerCache | None = None) -> tuple[FileTree, int]:
    """The merged file system of ``manifest``'s layers, and their total uncompressed size.

    With a ``cache``, a layer read once (by digest) is not downloaded again; the source is
    only asked whether it still has the blob.
    """
    tree = FileTree()
    total = 0
    for layer in manifest.layers:
        changes = cache.load(layer.digest) if cache else None
        if changes is None:
            changes = _read_layer(source, layer.digest)
            if cache:
                cache.save(layer.digest, changes)
        elif not source.has_blob(layer.digest):
            raise Failed(f"blob {layer.digest} is missing from {source.name}")
        apply_changes(tree, changes)
        total += changes.size
    return tree, total


def _read_layer(source: ImageSource, digest: str) -> LayerChanges:
    with source.open_blob(digest) as blob:
        try:
            changes = parse_layer(blob)
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise Failed(f"layer {digest} of {source.name} is not a readable tar: {exc}") from None
        blob.read()  # the rest (tar padding) so the digest check sees every byte
    return changes


def apply_layer(tree: FileTree, blob: BinaryIO) -> int:
    """Apply one layer (compressed or not) on top of ``tree``; return its tar size in bytes."""
    changes = parse_layer(blob)
    apply_changes(tree, changes)
    return changes.size


def parse_layer(blob: BinaryIO) -> LayerChanges:
    """A layer's entries and whiteouts, in archive order (compressed or plain tar)."""
    with decompressed(blob) as stream:
        counted = _Counting(stream)
        ops: list[Op] = []
        files: dict[str, Node] = {}
        with tarfile.open(fileobj=counted, mode="r|") as tar:  # type: ignore[call-overload]
            for member in tar:
                ops.append(_op(tar, member, files))
        while counted.read(_CHUNK):  # the end-of-archive padding counts too
            pass
        return LayerChanges(ops, counted.count)


def apply_changes(tree: FileTree, changes: LayerChanges) -> None:
    """Replay a layer over ``tree``: an opaque directory keeps what this layer itself added."""
    added: set[str] = set()
    for kind, path, node in changes.ops:
        if kind == "opaque":
            tree.clear_dir(path, keep=added)
        elif kind == "remove":
            tree.remove(path)
        else:
            assert node is not None
            added.add(path)
            tree.put(path, node)


class _Counting:
    """A read-only stream that counts the bytes read through it."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self.count += len(data)
        return data


def _op(tar: tarfile.TarFile, member: tarfile.TarInfo, files: dict[str, Node]) -> Op:
    path = normalize(member.name)
    parent, base = posixpath.split(path)
    if base == _OPAQUE:
        return ("opaque", parent, None)
    if base.startswith(_WHITEOUT):
        return ("remove", posixpath.join(parent, base[len(_WHITEOUT) :]), None)
    if member.islnk():
        # A hard link names an earlier member of the same archive: it is that file again.
        linked = files.get(normalize(member.linkname))
        return ("put", path, linked if linked is not None else Node("file", mode=member.mode))
    head = b""
    if member.isfile():
        extracted = tar.extractfile(member)
        head = extracted.read(HEAD_BYTES) if extracted is not None else b""
    kind: NodeKind = (
        "file" if member.isfile() else
        "dir" if member.isdir() else
        "symlink" if member.issym() else "other"
    )
    node = Node(kind, mode=member.mode, target=member.linkname if member.issym() else "",
                head=head, size=member.size)
    if kind == "file":
        files[path] = node
    return ("put", path, node)


class LayerCache:
    """Parsed layers by digest, as JSON files. A digest fixes a layer's bytes, so an entry
    never goes stale; an unreadable entry is a miss."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @classmethod
    def default(cls, environ: Mapping[str, str] | None = None) -> LayerCache:
        """``$XDG_CACHE_HOME/shipit/layers`` (default ``~/.cache/shipit/layers``)."""
        env = os.environ if environ is None else environ
        base = Path(env.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        return cls(base / "shipit" / "layers")

    def _path(self, digest: str) -> Path:
        return self.directory / (digest.replace(":", "-") + ".json")

    def load(self, digest: str) -> LayerChanges | None:
        try:
            data = json.loads(self._path(digest).read_text(encoding="utf-8"))
            ops: list[Op] = [
                (op, path, Node(n[0], n[1], n[2], base64.b64decode(n[3]), n[4]) if n else None)
                for op, path, n in data["ops"]
            ]
            return LayerChanges(ops, int(data["size"]))
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            return None

    def save(self, digest: str, changes: LayerChanges) -> None:
        ops = [[op, path, [n.kind, n.mode, n.target, base64.b64encode(n.head).decode(), n.size]
                if n else None] for op, path, n in changes.ops]
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            partial = self._path(digest).with_suffix(f".{os.getpid()}.part")
            partial.write_text(json.dumps({"size": changes.size, "ops": ops}), encoding="utf-8")
            os.replace(partial, self._path(digest))
        except OSError:
            pass  # a cache that cannot be written only costs time


@contextmanager
def decompressed(blob: BinaryIO) -> Iterator[IO[bytes]]:
    """The layer's tar stream: gzip and zstd are undone, a plain tar is passed through."""
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
