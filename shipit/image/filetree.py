"""An image's merged file system as metadata: what each path is, and each file's first bytes.

Enough to follow symlinks and PATH, read a ``#!`` line and an ELF header, without unpacking an
image to disk. ``layers.read_tree`` fills one from an image's layers; tests build one by hand.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

NodeKind = Literal["file", "dir", "symlink", "other"]
HEAD_BYTES = 256
"""Kept of every regular file: an ELF header needs 20, a ``#!`` line rarely more than 100."""


@dataclass(frozen=True)
class Node:
    kind: NodeKind
    mode: int = 0o755
    target: str = ""
    """A symlink's target, as written (absolute or relative)."""
    head: bytes = b""
    """A regular file's first HEAD_BYTES bytes."""
    size: int = 0

    @property
    def executable(self) -> bool:
        return bool(self.mode & 0o111)


DIR = Node("dir")


def normalize(path: str) -> str:
    """``./usr/bin/`` or ``usr/bin`` -> ``/usr/bin`` (tar member names are relative)."""
    return "/" + posixpath.normpath("/" + path).lstrip("/")


class FileTree:
    """Paths (absolute, normalized) to nodes; parents are implied directories."""

    def __init__(self) -> None:
        self._nodes: dict[str, Node] = {"/": DIR}

    def __len__(self) -> int:
        return len(self._nodes)

    def items(self) -> Iterator[tuple[str, Node]]:
        return iter(self._nodes.items())

    def get(self, path: str) -> Node | None:
        return self._nodes.get(path)

    def put(self, path: str, node: Node) -> None:
        """Add or replace ``path``; a non-directory replaces a whole subtree, as overlayfs does."""
        path = normalize(path)
        existing = self._nodes.get(path)
        if existing is not None and not (existing.kind == "dir" and node.kind == "dir"):
            self.remove(path)
        parent = posixpath.dirname(path)
        while parent not in self._nodes:
            self._nodes[parent] = DIR
            parent = posixpath.dirname(parent)
        self._nodes[path] = node

    def remove(self, path: str) -> None:
        """Delete ``path`` and everything under it (a whiteout)."""
        path = normalize(path)
        self._nodes.pop(path, None)
        self.clear_dir(path)

    def clear_dir(self, path: str, keep: frozenset[str] | set[str] = frozenset()) -> None:
        """Delete what lies under directory ``path`` except ``keep`` (an opaque whiteout)."""
        prefix = normalize(path).rstrip("/") + "/"
        doomed = [p for p in self._nodes if p.startswith(prefix) and p not in keep]
        for p in doomed:
            del self._nodes[p]
