"""Find what a container really executes: argv[0] through PATH, symlinks and ``#!`` lines.

Resolution stays inside the image root, as the kernel does inside a container: an absolute
symlink target starts again at the image's ``/``, and ``..`` stops there. The result is the
chain the kernel would walk, e.g. ``python3`` -> ``/usr/bin/python3`` -> ``/usr/bin/python3.11``
(an ELF binary), or ``/app/run`` (``#!/usr/bin/env python3``) -> ``/usr/bin/env`` + ``python3``.
"""

from __future__ import annotations

import posixpath
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from shipit.image.elf import ElfHeader, parse_elf
from shipit.image.filetree import FileTree, Node

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
"""What runc and Docker search when the image's Env has no PATH."""
MAX_SYMLINKS = 40
MAX_INTERPRETERS = 4
"""Linux follows at most a few levels of ``#!`` (BINPRM recursion limit)."""


class ResolutionError(Exception):
    """The program cannot be found or executed; the message says why, as a container would."""


@dataclass(frozen=True)
class Resolved:
    path: str
    """The real path after every symlink."""
    node: Node
    links: list[str] = field(default_factory=list)
    """Symlinks followed on the way, as ``/usr/bin/python3 -> python3.11``."""


@dataclass(frozen=True)
class Step:
    """One program of the exec chain: the script, then its interpreter, and so on."""

    requested: str
    """As named: ``python3``, ``/usr/bin/env``."""
    resolved: Resolved
    elf: ElfHeader | None
    interpreter: list[str] = field(default_factory=list)
    """For a script: its ``#!`` line split into words."""

    @property
    def path(self) -> str:
        return self.resolved.path


def real_path(tree: FileTree, path: str, cwd: str = "/") -> Resolved:
    """Follow every symlink in ``path`` (relative to ``cwd``) within the image root."""
    pending = deque(posixpath.join(cwd, path).split("/"))
    current = "/"
    links: list[str] = []
    while pending:
        name = pending.popleft()
        if name in ("", "."):
            continue
        if name == "..":
            current = posixpath.dirname(current)
            continue
        candidate = posixpath.join(current, name)
        node = tree.get(candidate)
        if node is None:
            requested = posixpath.normpath(posixpath.join(cwd, path))
            detail = f" (no {candidate})" if candidate != requested else ""
            raise ResolutionError(f"{requested} does not exist in the image{detail}")
        if node.kind == "symlink":
            if len(links) >= MAX_SYMLINKS:
                raise ResolutionError(f"too many levels of symbolic links at {candidate}")
            links.append(f"{candidate} -> {node.target}")
            if node.target.startswith("/"):
                current = "/"
            pending.extendleft(reversed(node.target.split("/")))
            continue
        if pending and any(p not in ("", ".") for p in pending) and node.kind != "dir":
            raise ResolutionError(f"{candidate} is not a directory")
        current = candidate
    node = tree.get(current)
    assert node is not None
    return Resolved(current, node, links)


def find_program(tree: FileTree, name: str, env: Mapping[str, str], cwd: str = "/") -> Resolved:
    """Look ``name`` up as execve/runc do: a path if it has a slash, else through PATH."""
    if "/" in name:
        return _executable(real_path(tree, name, cwd), name)
    search = env.get("PATH", DEFAULT_PATH)
    for folder in search.split(":"):
        try:
            found = real_path(tree, posixpath.join(folder or cwd, name), cwd)
        except ResolutionError:
            continue
        if found.node.kind == "file" and found.node.executable:
            return found
    raise ResolutionError(f"{name!r}: executable file not found in $PATH ({search})")


def exec_chain(tree: FileTree, argv: Sequence[str], env: Mapping[str, str],
               cwd: str = "/") -> list[Step]:
    """Every program the kernel loads to run ``argv``: a script, its interpreters, ELF binaries.

    ``#!/usr/bin/env python3`` adds two steps: ``/usr/bin/env`` itself and ``python3`` found
    through PATH.
    """
    if not argv:
        raise ResolutionError("the image has neither ENTRYPOINT nor CMD: nothing to run")
    steps: list[Step] = []
    pending: deque[tuple[str, bool]] = deque([(argv[0], True)])  # (name, search PATH)
    while pending:
        if len(steps) > 2 * MAX_INTERPRETERS:
            raise ResolutionError(f"too many levels of #! interpreters for {argv[0]}")
        name, search = pending.popleft()
        resolved = find_program(tree, name, env, cwd) if search else _interpreter(tree, name)
        elf = parse_elf(resolved.node.head)
        if elf is not None:
            steps.append(Step(name, resolved, elf))
            continue
        words = shebang(resolved.node.head)
        if words is None:
            raise ResolutionError(f"{resolved.path} is neither an ELF binary nor a #! script")
        steps.append(Step(name, resolved, None, words))
        pending.append((words[0], False))
        if posixpath.basename(words[0]) == "env":
            program = next((w for w in words[1:] if not w.startswith("-")), None)
            if program is None:
                raise ResolutionError(f"{resolved.path}: '#!{' '.join(words)}' names no program")
            pending.append((program, True))
    return steps


def shebang(head: bytes) -> list[str] | None:
    """The words of a ``#!`` line (``['/usr/bin/env', 'python3']``), or None."""
    if not head.startswith(b"#!"):
        return None
    line = head[2:].split(b"\n", 1)[0].decode("utf-8", "replace").strip()
    words = line.split()
    return words or None


def _interpreter(tree: FileTree, path: str) -> Resolved:
    if not path.startswith("/"):
        raise ResolutionError(f"#! interpreter {path!r} is not an absolute path")
    return _executable(real_path(tree, path), path)


def _executable(found: Resolved, name: str) -> Resolved:
    if found.node.kind != "file":
        raise ResolutionError(f"{name!r} resolves to {found.path}, which is not a regular file")
    if not found.node.executable:
        raise ResolutionError(f"{found.path} is not executable (permission denied)")
    return found
