"""Small synthetic images, written byte by byte: into a real registry over its HTTP API, or into
an OCI layout directory. Standard library only (the fake docker executable imports it too).

Each image is a tiny Debian-like root: ``/bin -> usr/bin``, ``/usr/bin/python3 -> python3.11``,
and ``/usr/bin/python3.11`` whose ELF header says which CPU it is for, so the verifier can be
tested against every way an image can be wrong in seconds, without a builder.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
ELF_MACHINE = {"amd64": 62, "arm64": 183}


def elf_header(machine: int) -> bytes:
    """The first 64 bytes of a little-endian 64-bit ELF executable for ``machine``."""
    ident = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9)
    return ident + (2).to_bytes(2, "little") + machine.to_bytes(2, "little") + bytes(44)


@dataclass(frozen=True)
class Entry:
    path: str
    kind: str = "file"  # file, dir, symlink, hardlink
    data: bytes = b""
    target: str = ""
    mode: int = 0o755
    mtime: int = 0


def layer(entries: Sequence[Entry], *, compress: bool = True) -> bytes:
    """A layer tar (gzip unless told otherwise) holding ``entries`` in order."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for entry in entries:
            info = tarfile.TarInfo(entry.path.lstrip("/"))
            info.mode, info.mtime = entry.mode, entry.mtime
            if entry.kind == "dir":
                info.type = tarfile.DIRTYPE
            elif entry.kind == "symlink":
                info.type, info.linkname = tarfile.SYMTYPE, entry.target
            elif entry.kind == "hardlink":
                info.type, info.linkname = tarfile.LNKTYPE, entry.target.lstrip("/")
            else:
                info.size = len(entry.data)
            tar.addfile(info, io.BytesIO(entry.data) if entry.kind == "file" else None)
    data = raw.getvalue()
    return gzip.compress(data, mtime=0) if compress else data


def python_root(machine: int) -> list[Entry]:
    return [
        Entry("usr", "dir"), Entry("usr/bin", "dir"), Entry("bin", "symlink", target="usr/bin"),
        Entry("usr/bin/python3.11", data=elf_header(machine) + b"\0" * 64),
        Entry("usr/bin/python3", "symlink", target="python3.11"),
        Entry("usr/bin/env", data=elf_header(machine)),
    ]


@dataclass
class ImageSpec:
    """One platform's image: what the index says, what the config says, what python really is."""

    listed_arch: str
    config_arch: str | None = None
    python_arch: str | None = None
    entrypoint: list[str] = field(default_factory=lambda: ["python3", "-m", "sample_service"])
    cmd: list[str] = field(default_factory=lambda: ["serve"])
    extra: list[Entry] = field(default_factory=list)
    more: list[list[Entry]] = field(default_factory=list)
    """Layers after ``extra``'s."""

    def layers(self) -> list[bytes]:
        machine = ELF_MACHINE[self.python_arch or self.listed_arch]
        return [layer(python_root(machine)), *([layer(self.extra)] if self.extra else []),
                *(layer(entries) for entries in self.more)]

    def config(self, diff_ids: list[str]) -> bytes:
        return json.dumps({
            "os": "linux", "architecture": self.config_arch or self.listed_arch,
            "config": {"Env": ["PATH=/usr/local/bin:/usr/bin:/bin"], "User": "10001",
                       "Entrypoint": self.entrypoint, "Cmd": self.cmd, "WorkingDir": "/"},
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
        }).encode()


def digest_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Store:
    """Where blobs and manifests go; see RegistryStore and LayoutStore."""

    def put_blob(self, data: bytes) -> str:
        raise NotImplementedError

    def put_manifest(self, data: bytes, media_type: str, tags: Sequence[str]) -> str:
        raise NotImplementedError


def write_image(store: Store, spec: ImageSpec) -> dict[str, object]:
    """Store one platform's image; return its descriptor for an index."""
    layers = spec.layers()
    diff_ids = [digest_of(gzip.decompress(blob)) for blob in layers]
    config = spec.config(diff_ids)
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": store.put_blob(config), "size": len(config)},
        "layers": [{"mediaType": OCI_LAYER, "digest": store.put_blob(blob), "size": len(blob)}
                   for blob in layers],
    }).encode()
    digest = store.put_manifest(manifest, OCI_MANIFEST, [])
    return {"mediaType": OCI_MANIFEST, "digest": digest, "size": len(manifest),
            "platform": {"os": "linux", "architecture": spec.listed_arch}}


def write_index(store: Store, specs: Sequence[ImageSpec], tags: Sequence[str]) -> str:
    """A manifest list of ``specs`` under ``tags``; returns its digest."""
    index = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX,
                        "manifests": [write_image(store, spec) for spec in specs]}).encode()
    return store.put_manifest(index, OCI_INDEX, tags)


class RegistryStore(Store):
    """A real registry's HTTP API (monolithic blob uploads)."""

    def __init__(self, host: str, repository: str) -> None:
        self.base = f"http://{host}/v2/{repository}"

    def put_blob(self, data: bytes) -> str:
        digest = digest_of(data)
        start = urllib.request.Request(f"{self.base}/blobs/uploads/", method="POST")
        with urllib.request.urlopen(start, timeout=10) as response:
            location = response.headers["Location"]
        if location.startswith("/"):
            location = self.base.split("/v2/")[0] + location
        separator = "&" if "?" in location else "?"
        put = urllib.request.Request(f"{location}{separator}digest={digest}", data=data,
                                     method="PUT",
                                     headers={"Content-Type": "application/octet-stream"})
        urllib.request.urlopen(put, timeout=10).close()
        return digest

    def put_manifest(self, data: bytes, media_type: str, tags: Sequence[str]) -> str:
        digest = digest_of(data)
        for reference in [*tags, digest]:
            put = urllib.request.Request(f"{self.base}/manifests/{reference}", data=data,
                                         method="PUT", headers={"Content-Type": media_type})
            urllib.request.urlopen(put, timeout=10).close()
        return digest


class LayoutStore(Store):
    """An OCI image layout directory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        (path / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)
        (path / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}', encoding="utf-8")
        self.entries: list[dict[str, object]] = []

    def put_blob(self, data: bytes) -> str:
        digest = digest_of(data)
        (self.path / "blobs" / "sha256" / digest.split(":")[1]).write_bytes(data)
        return digest

    def put_manifest(self, data: bytes, media_type: str, tags: Sequence[str]) -> str:
        digest = self.put_blob(data)
        for tag in tags:
            self.entries.append({"mediaType": media_type, "digest": digest, "size": len(data),
                                 "annotations": {"org.opencontainers.image.ref.name": tag}})
        (self.path / "index.json").write_text(
            json.dumps({"schemaVersion": 2, "manifests": self.entries}), encoding="utf-8")
        return digest
