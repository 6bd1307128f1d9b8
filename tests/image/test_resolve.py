"""From argv[0] to the ELF binary the kernel loads: PATH, symlinks, #! lines (synthetic trees)."""

from __future__ import annotations

import pytest

from shipit.image.filetree import FileTree, Node
from shipit.image.resolve import ResolutionError, exec_chain, find_program, real_path
from tests.image.images import elf_header

X86 = elf_header(62)
ARM = elf_header(183)
PATH = {"PATH": "/usr/local/bin:/usr/bin:/bin"}


def tree(overrides: dict[str, Node | None] | None = None) -> FileTree:
    """A small merged-/usr Debian-like tree; ``overrides`` replaces (or with None, drops) paths."""
    nodes: dict[str, Node | None] = {
        "/bin": Node("symlink", target="usr/bin"),
        "/lib": Node("symlink", target="/usr/lib"),
        "/usr/bin/python3.11": Node("file", head=X86),
        "/usr/bin/python3": Node("symlink", target="python3.11"),
        "/usr/bin/env": Node("file", head=X86),
        "/usr/bin/dash": Node("file", head=X86),
        "/usr/bin/sh": Node("symlink", target="dash"),
        "/usr/local/bin/python": Node("symlink", target="/usr/bin/python3"),
        "/usr/local/bin/up": Node("symlink", target="../../bin/python3"),
        "/usr/local/bin/escape": Node("symlink", target="../../../../../../usr/bin/python3"),
        "/usr/local/bin/loop": Node("symlink", target="loop2"),
        "/usr/local/bin/loop2": Node("symlink", target="loop"),
        "/usr/local/bin/noexec": Node("file", mode=0o644, head=X86),
        "/usr/local/bin/data": Node("file", head=b"just text\n"),
        "/app/run": Node("file", head=b"#!/usr/bin/env python3\nprint('hi')\n"),
        "/app/run-sh": Node("file", head=b"#!/bin/sh -e\nexec python3 -m app\n"),
        "/app/run-env-s": Node("file", head=b"#!/usr/bin/env -S python3 -u\n"),
        "/app/nested": Node("file", head=b"#!/app/run\n"),
        "/app/dir": Node("dir"),
    }
    nodes.update(overrides or {})
    result = FileTree()
    for path, node in nodes.items():
        if node is not None:
            result.put(path, node)
    return result


@pytest.mark.parametrize(("path", "real", "links"), [
    ("/usr/bin/python3", "/usr/bin/python3.11", 1),
    ("/bin/python3", "/usr/bin/python3.11", 2),
    ("/usr/local/bin/python", "/usr/bin/python3.11", 2),
    ("/usr/local/bin/up", "/usr/bin/python3.11", 2),
    ("/usr/local/bin/escape", "/usr/bin/python3.11", 2),  # '..' stops at the image root
    ("/bin/../bin/./sh", "/usr/bin/dash", 2),  # '..' after a symlink is physical, as in the kernel
])
def test_real_path(path: str, real: str, links: int) -> None:
    found = real_path(tree(), path)
    assert found.path == real
    assert len(found.links) == links


@pytest.mark.parametrize(("path", "message"), [
    ("/usr/bin/nope", "/usr/bin/nope does not exist"),
    ("/usr/local/bin/loop", "too many levels of symbolic links"),
    ("/usr/bin/python3.11/x", "is not a directory"),
])
def test_real_path_errors(path: str, message: str) -> None:
    with pytest.raises(ResolutionError, match=message):
        real_path(tree(), path)


@pytest.mark.parametrize(("name", "env", "found"), [
    ("python3", PATH, "/usr/bin/python3.11"),
    ("python", PATH, "/usr/bin/python3.11"),  # /usr/local/bin comes first
    ("python3", {}, "/usr/bin/python3.11"),  # runc's default PATH
    ("python3", {"PATH": "/nowhere:/bin"}, "/usr/bin/python3.11"),
    ("/usr/bin/python3", {"PATH": ""}, "/usr/bin/python3.11"),
    ("./run", {"PATH": ""}, "/app/run"),  # relative to the working directory
])
def test_find_program(name: str, env: dict[str, str], found: str) -> None:
    assert find_program(tree(), name, env, cwd="/app").path == found


@pytest.mark.parametrize(("name", "message"), [
    ("python4", "executable file not found in \\$PATH"),
    ("/usr/local/bin/noexec", "is not executable"),
    ("/app/dir", "not a regular file"),
])
def test_find_program_errors(name: str, message: str) -> None:
    with pytest.raises(ResolutionError, match=message):
        find_program(tree(), name, PATH)


def test_noexec_file_on_path_is_skipped_like_execvp() -> None:
    env = {"PATH": "/usr/local/bin:/usr/bin"}
    t = tree({"/usr/local/bin/python3": Node("file", mode=0o644, head=X86)})
    assert find_program(t, "python3", env).path == "/usr/bin/python3.11"


@pytest.mark.parametrize(("argv", "chain"), [
    (["python3", "-m", "app"], ["/usr/bin/python3.11"]),
    (["/app/run"], ["/app/run", "/usr/bin/env", "/usr/bin/python3.11"]),
    (["/app/run-sh"], ["/app/run-sh", "/usr/bin/dash"]),
    (["/app/run-env-s"], ["/app/run-env-s", "/usr/bin/env", "/usr/bin/python3.11"]),
    (["/app/nested"], ["/app/nested", "/app/run", "/usr/bin/env", "/usr/bin/python3.11"]),
    (["sh", "-c", "exec python3"], ["/usr/bin/dash"]),
])
def test_exec_chain(argv: list[str], chain: list[str]) -> None:
    assert [step.path for step in exec_chain(tree(), argv, PATH)] == chain


def test_exec_chain_reports_each_elf() -> None:
    t = tree({"/usr/bin/python3.11": Node("file", head=ARM)})
    steps = exec_chain(t, ["/app/run"], PATH)
    machines = [s.elf.machine if s.elf else None for s in steps]
    assert machines == [None, 62, 183]
    assert steps[0].interpreter == ["/usr/bin/env", "python3"]


@pytest.mark.parametrize(("argv", "overrides", "message"), [
    ([], {}, "neither ENTRYPOINT nor CMD"),
    (["/usr/local/bin/data"], {}, "neither an ELF binary nor a #! script"),
    (["/app/x"], {"/app/x": Node("file", head=b"#!\n")}, "neither an ELF"),
    (["/app/x"], {"/app/x": Node("file", head=b"#!python3\n")}, "not an absolute path"),
    (["/app/x"], {"/app/x": Node("file", head=b"#!/usr/bin/env\n")}, "names no program"),
    (["/app/x"], {"/app/x": Node("file", head=b"#!/app/x\n")}, "too many levels"),
    (["/app/run"], {"/usr/bin/python3.11": None, "/usr/bin/python3": None},
     "'python3': executable file not found"),
])
def test_exec_chain_errors(argv: list[str], overrides: dict[str, Node | None],
                           message: str) -> None:
    with pytest.raises(ResolutionError, match=message):
        exec_chain(tree(overrides), argv, PATH)
