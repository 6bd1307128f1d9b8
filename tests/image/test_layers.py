"""Layers applied in order into one file tree: compression, whiteouts, links, digests."""

from __future__ import annotations

import gzip
import io
import shutil
import subprocess
from pathlib import Path

import pytest

from shipit.errors import Failed
from shipit.image.filetree import FileTree, Node, normalize
from shipit.image.layers import LayerCache, apply_layer, read_tree
from shipit.image.manifest import ImageManifest, parse_manifest
from shipit.image.oci_layout import OciLayoutSource
from tests.image.images import Entry, ImageSpec, LayoutStore, elf_header, layer, write_index


def apply(tree: FileTree, *entries: Entry, compress: bool = True) -> int:
    return apply_layer(tree, io.BufferedReader(io.BytesIO(layer(entries, compress=compress))))


def paths(tree: FileTree) -> set[str]:
    return {path for path, _ in tree.items()}


@pytest.mark.parametrize(("raw", "expected"), [
    ("./usr/bin/", "/usr/bin"), ("usr/bin", "/usr/bin"), ("/usr//bin/.", "/usr/bin"),
    (".", "/"), ("./", "/"), ("./.wh.x", "/.wh.x"), ("..//../etc", "/etc"),
])
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize("compress", [True, False])
def test_files_symlinks_and_heads(compress: bool) -> None:
    tree = FileTree()
    size = apply(tree, Entry("usr/bin/python3.11", data=elf_header(183) + b"x" * 1000),
                 Entry("usr/bin/python3", "symlink", target="python3.11"),
                 Entry("etc/motd", data=b"hello", mode=0o644), compress=compress)
    assert size > 1000
    python = tree.get("/usr/bin/python3.11")
    assert python is not None
    assert python.kind == "file"
    assert len(python.head) == 256
    assert tree.get("/usr/bin/python3") == Node("symlink", mode=0o755, target="python3.11")
    assert tree.get("/usr") is not None  # parents are implied
    motd = tree.get("/etc/motd")
    assert motd is not None
    assert not motd.executable
    assert motd.head == b"hello"


def test_whiteout_removes_a_file_and_a_whole_directory() -> None:
    tree = FileTree()
    apply(tree, Entry("a/keep"), Entry("a/gone"), Entry("d/sub/deep"), Entry("d2/x"))
    apply(tree, Entry("a/.wh.gone"), Entry(".wh.d"), Entry("d2/y"))
    assert paths(tree) == {"/", "/a", "/a/keep", "/d2", "/d2/x", "/d2/y"}


def test_opaque_directory_hides_lower_layers_but_not_its_own() -> None:
    tree = FileTree()
    apply(tree, Entry("opt/app/old.py"), Entry("opt/app/lib/x.so"), Entry("opt/other"))
    apply(tree, Entry("opt/app", "dir"), Entry("opt/app/new.py"), Entry("opt/app/.wh..wh..opq"))
    assert paths(tree) == {"/", "/opt", "/opt/app", "/opt/app/new.py", "/opt/other"}


def test_file_replaces_a_directory_and_a_symlink_replaces_a_file() -> None:
    tree = FileTree()
    apply(tree, Entry("x/inside"), Entry("usr/bin/python3", data=elf_header(62)))
    apply(tree, Entry("x", data=b"now a file"),
          Entry("usr/bin/python3", "symlink", target="python3.11"))
    assert paths(tree) >= {"/x", "/usr/bin/python3"}
    assert "/x/inside" not in paths(tree)
    python = tree.get("/usr/bin/python3")
    assert python is not None
    assert python.kind == "symlink"


def test_hardlink_is_the_file_it_names() -> None:
    tree = FileTree()
    apply(tree, Entry("usr/bin/python3.11", data=elf_header(62)),
          Entry("usr/bin/python3", "hardlink", target="usr/bin/python3.11"))
    linked = tree.get("/usr/bin/python3")
    assert linked is not None
    assert linked.kind == "file"
    assert linked.head == elf_header(62)


@pytest.mark.skipif(shutil.which("zstd") is None, reason="the zstd command is not installed")
def test_zstd_layer() -> None:
    raw = gzip.decompress(layer([Entry("usr/bin/tool", data=elf_header(183))]))
    compressed = subprocess.run(["zstd", "-q", "-c"], input=raw, capture_output=True,
                                check=True).stdout
    tree = FileTree()
    apply_layer(tree, io.BufferedReader(io.BytesIO(compressed)))
    tool = tree.get("/usr/bin/tool")
    assert tool is not None
    assert tool.head == elf_header(183)


def test_not_a_tar() -> None:
    with pytest.raises(Exception, match=r"(?i)invalid|truncated|empty|bad"):
        apply_layer(FileTree(), io.BufferedReader(io.BytesIO(gzip.compress(b"not a tar" * 100))))


def _one_image(tmp_path: Path) -> tuple[OciLayoutSource, ImageManifest]:
    store = LayoutStore(tmp_path / "oci")
    write_index(store, [ImageSpec("arm64")], ["v1"])
    source = OciLayoutSource(tmp_path / "oci")
    index = parse_manifest(source.manifest("v1"))
    assert not isinstance(index, ImageManifest)
    manifest = parse_manifest(source.manifest(index.manifests[0].digest))
    assert isinstance(manifest, ImageManifest)
    return source, manifest


def test_read_tree_from_a_layout(tmp_path: Path) -> None:
    source, manifest = _one_image(tmp_path)
    tree, size = read_tree(source, manifest)
    python = tree.get("/usr/bin/python3.11")
    assert python is not None
    assert python.head.startswith(elf_header(183)[:20])
    assert size == 10240  # the whole tar, end-of-archive blocks included


def test_a_tampered_layer_fails_its_digest(tmp_path: Path) -> None:
    source, manifest = _one_image(tmp_path)
    blob = tmp_path / "oci" / "blobs" / "sha256" / manifest.layers[0].digest.split(":")[1]
    blob.write_bytes(layer([Entry("usr/bin/python3.11", data=elf_header(62))]))
    with pytest.raises(Failed, match="does not match its digest"):
        read_tree(source, manifest)


def test_a_cached_layer_is_not_read_again_but_must_still_exist(tmp_path: Path) -> None:
    source, manifest = _one_image(tmp_path)
    cache = LayerCache(tmp_path / "cache")
    tree, size = read_tree(source, manifest, cache)
    blob = tmp_path / "oci" / "blobs" / "sha256" / manifest.layers[0].digest.split(":")[1]
    blob.write_bytes(b"not read again")
    again, again_size = read_tree(source, manifest, cache)
    assert (sorted(again.items()), again_size) == (sorted(tree.items()), size)
    blob.unlink()
    with pytest.raises(Failed, match="is missing from oci:"):
        read_tree(source, manifest, cache)


def test_an_unreadable_cache_entry_is_a_miss(tmp_path: Path) -> None:
    source, manifest = _one_image(tmp_path)
    cache = LayerCache(tmp_path / "cache")
    read_tree(source, manifest, cache)
    (entry,) = (tmp_path / "cache").iterdir()
    entry.write_text("{", encoding="utf-8")
    assert cache.load(manifest.layers[0].digest) is None
    tree, _ = read_tree(source, manifest, cache)
    assert tree.get("/usr/bin/python3.11") is not None
    assert cache.load(manifest.layers[0].digest) is not None


def test_default_cache_location() -> None:
    assert LayerCache.default({"XDG_CACHE_HOME": "/c"}).directory == Path("/c/shipit/layers")
