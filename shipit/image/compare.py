"""Where two builds of one image differ: the first platform, layer and files, and what differs.

Read like ``diffoci``: index, then each platform's manifest (in platform order), its layers in
order, and inside the first differing layer every entry by path: content, mtime, mode, owner,
type. Both images are read from any ImageSource (a registry or an OCI layout), digest-checked.

A file whose content differs is named before any file whose only difference is metadata, and a
layer (or platform) with such a file before one without: two commits with different times differ
in every file's mtime, and the one changed file is the news.
"""

from __future__ import annotations

import hashlib
import json
import tarfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from shipit.image.filetree import normalize
from shipit.image.layers import decompressed
from shipit.image.manifest import ImageIndex, ImageManifest, parse_manifest
from shipit.image.source import ImageSource, read_blob

FILES_SHOWN = 10
"""At most this many differing files are named (a one-byte change also changes its .pyc)."""
CONTENT = frozenset({"type", "content", "only in first", "only in second"})
"""What differs in a file's content; the rest (mtime, mode, owner, xattrs) is metadata."""


@dataclass(frozen=True)
class FileDifference:
    path: str
    what: tuple[str, ...]
    """Some of: content, mtime, mode, owner, type, xattrs, only in first, only in second."""

    def __str__(self) -> str:
        return f"{self.path} ({', '.join(self.what)})"

    @property
    def content(self) -> bool:
        """Whether the file's bytes, type or presence differ (not only its metadata)."""
        return not CONTENT.isdisjoint(self.what)


@dataclass(frozen=True)
class Difference:
    """The first place two images differ; ``message`` says it in one sentence."""

    where: str
    """index | platforms | manifest | config | layer"""
    detail: str
    platform: str | None = None
    layer: int | None = None
    """1-based, bottom layer first."""
    digests: tuple[str, str] | None = None
    files: list[FileDifference] = field(default_factory=list)

    @property
    def content(self) -> bool:
        """Whether some named file differs in content."""
        return any(f.content for f in self.files)

    @property
    def message(self) -> str:
        place = [p for p in (self.platform, f"layer {self.layer}" if self.layer else None) if p]
        head = f"{' '.join(place)}: " if place else ""
        return head + self.detail

    def to_dict(self) -> dict[str, Any]:
        return {"where": self.where, "platform": self.platform, "layer": self.layer,
                "digests": list(self.digests) if self.digests else None,
                "files": [{"path": f.path, "what": list(f.what)} for f in self.files],
                "message": self.message}


@dataclass(frozen=True)
class _Entry:
    kind: str
    content: str
    """sha256 of a file's bytes, a link's target, or empty."""
    mtime: int
    mode: int
    owner: tuple[int, int, str, str]
    xattrs: tuple[tuple[str, str], ...]


def compare_images(first: ImageSource, first_ref: str, second: ImageSource,
                   second_ref: str) -> Difference | None:
    """None when both references hold the same bytes; else where they first differ."""
    a, b = first.manifest(first_ref), second.manifest(second_ref)
    if a.digest == b.digest:
        return None
    ma, mb = parse_manifest(a), parse_manifest(b)
    if isinstance(ma, ImageIndex) and isinstance(mb, ImageIndex):
        pa = {d.platform_text: d.digest for d in ma.images}
        pb = {d.platform_text: d.digest for d in mb.images}
        if set(pa) != set(pb):
            return Difference("platforms", f"the platforms differ: {sorted(pa)} and {sorted(pb)}",
                              digests=(a.digest, b.digest))
        found = _prefer_content(
            _at(_compare_manifests(first, pa[platform], second, pb[platform]), platform)
            for platform in sorted(pa) if pa[platform] != pb[platform])
        if found is not None:
            return found
        return Difference("index", "every platform's image is the same; the index's own fields"
                          f" differ ({_json_fields(a.body, b.body)})",
                          digests=(a.digest, b.digest))
    if isinstance(ma, ImageManifest) and isinstance(mb, ImageManifest):
        return _compare_manifests(first, a.digest, second, b.digest)
    return Difference("index", "one is an index, the other a single image",
                      digests=(a.digest, b.digest))


def _prefer_content(found: Iterable[Difference]) -> Difference | None:
    """The first difference that names a file whose content differs, else the first one;
    reads no further than it must (each layer compared is read whole)."""
    first = None
    for difference in found:
        if difference.content:
            return difference
        first = first or difference
    return first


def _at(found: Difference, platform: str) -> Difference:
    return Difference(found.where, found.detail, platform, found.layer, found.digests,
                      found.files)


def _compare_manifests(first: ImageSource, digest_a: str, second: ImageSource,
                       digest_b: str) -> Difference:
    raw_a, raw_b = first.manifest(digest_a), second.manifest(digest_b)
    ma, mb = parse_manifest(raw_a), parse_manifest(raw_b)
    if not isinstance(ma, ImageManifest) or not isinstance(mb, ImageManifest):
        return Difference("manifest", "a platform entry is not an image manifest",
                          digests=(digest_a, digest_b))
    found = _prefer_content(
        _compare_layers(first, la.digest, second, lb.digest, number)
        for number, (la, lb) in enumerate(zip(ma.layers, mb.layers, strict=False), start=1)
        if la.digest != lb.digest)
    if found is not None and (found.content or len(ma.layers) == len(mb.layers)):
        return found
    if len(ma.layers) != len(mb.layers):
        return Difference("manifest", f"one image has {len(ma.layers)} layers, the other"
                          f" {len(mb.layers)}", digests=(digest_a, digest_b))
    if ma.config.digest != mb.config.digest:
        fields = _json_fields(read_blob(first, ma.config.digest),
                              read_blob(second, mb.config.digest))
        return Difference("config", f"the layers are the same; the image config differs in"
                          f" {fields}", digests=(ma.config.digest, mb.config.digest))
    return Difference("manifest", "layers and config are the same; the manifest differs in"
                      f" {_json_fields(raw_a.body, raw_b.body)}", digests=(digest_a, digest_b))


def _compare_layers(first: ImageSource, digest_a: str, second: ImageSource, digest_b: str,
                    number: int) -> Difference:
    entries_a, entries_b = _entries(first, digest_a), _entries(second, digest_b)
    files: list[FileDifference] = []
    for path in [*entries_a, *(p for p in entries_b if p not in entries_a)]:
        what = _what_differs(entries_a.get(path), entries_b.get(path))
        if what:
            files.append(FileDifference(path, what))
    files.sort(key=lambda f: not f.content)  # stable: archive order within each kind
    digests = (digest_a, digest_b)
    if files:
        shown = ", ".join(map(str, files[:FILES_SHOWN]))
        more = f" and {len(files) - FILES_SHOWN} more" if len(files) > FILES_SHOWN else ""
        noun = "file differs" if len(files) == 1 else "files differ"
        changed = sum(f.content for f in files)  # how many: only the first few are shown
        kinds = f", {changed or 'none'} in content" if 1 < len(files) != changed else ""
        return Difference("layer", f"{len(files)} {noun}{kinds}: {shown}{more}", layer=number,
                          digests=digests, files=files[:FILES_SHOWN])
    if list(entries_a) != list(entries_b):
        return Difference("layer", "the same files in another order", layer=number,
                          digests=digests)
    return Difference("layer", "the same files with the same metadata: the tar headers or the"
                      " compression differ", layer=number, digests=digests)


def _what_differs(a: _Entry | None, b: _Entry | None) -> tuple[str, ...]:
    if a is None:
        return ("only in second",)
    if b is None:
        return ("only in first",)
    checks = (("type", a.kind != b.kind), ("content", a.content != b.content),
              ("mtime", a.mtime != b.mtime), ("mode", a.mode != b.mode),
              ("owner", a.owner != b.owner), ("xattrs", a.xattrs != b.xattrs))
    return tuple(name for name, differs in checks if differs)


def _entries(source: ImageSource, digest: str) -> dict[str, _Entry]:
    """Every entry of a layer by path (``/etc/passwd``), in archive order."""
    found: dict[str, _Entry] = {}
    with source.open_blob(digest) as blob, decompressed(blob) as stream, \
            tarfile.open(fileobj=stream, mode="r|") as tar:
        for member in tar:
            content = ""
            if member.isfile():
                content = _file_hash(tar.extractfile(member))
            elif member.issym() or member.islnk():
                content = member.linkname
            found[normalize(member.name)] = _Entry(
                kind=_kind(member), content=content, mtime=int(member.mtime), mode=member.mode,
                owner=(member.uid, member.gid, member.uname, member.gname),
                xattrs=tuple(sorted(_xattrs(member.pax_headers).items())))
        blob.read()  # the digest check reads to the end
    return found


def _file_hash(stream: IO[bytes] | None) -> str:
    hasher = hashlib.sha256()
    while stream is not None and (chunk := stream.read(1 << 20)):
        hasher.update(chunk)
    return hasher.hexdigest()


def _kind(member: tarfile.TarInfo) -> str:
    return ("file" if member.isfile() else "dir" if member.isdir() else
            "symlink" if member.issym() else "hardlink" if member.islnk() else "other")


def _xattrs(pax: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in pax.items() if k.startswith("SCHILY.xattr.")}


def _json_fields(body_a: bytes, body_b: bytes) -> str:
    """The dotted paths of the JSON leaves that differ, e.g. ``created, config.Labels.x``."""
    paths: list[str] = []
    _diff_paths(json.loads(body_a), json.loads(body_b), "", paths)
    return ", ".join(paths[:FILES_SHOWN]) or "formatting only"


def _diff_paths(a: Any, b: Any, path: str, out: list[str]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            _diff_paths(a.get(key), b.get(key), f"{path}.{key}" if path else key, out)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            _diff_paths(x, y, f"{path}[{index}]", out)
    elif a != b:
        out.append(path or "(root)")
