"""Pure checks of a built image: each takes what was read and returns a Finding.

Every check runs and every result is reported; ``verify.verify_image`` gathers the inputs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from shipit.image.elf import describe_elf, parse_elf
from shipit.image.filetree import FileTree
from shipit.image.manifest import Descriptor, ImageConfig, ImageIndex
from shipit.image.platforms import Platform
from shipit.image.resolve import ResolutionError, Step, exec_chain

EXEC_FORMAT_ERROR = "the task would die with `exec format error`"


@dataclass(frozen=True)
class Finding:
    check: str
    """platforms, config, executable, native-files or read."""
    ok: bool
    message: str
    platform: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"check": self.check, "ok": self.ok, "platform": self.platform,
                "message": self.message, **({"details": self.details} if self.details else {})}


def check_platforms(index: ImageIndex, requested: Sequence[Platform]) -> list[Finding]:
    """The manifest list holds exactly the requested platforms, each once."""
    wanted = [str(p) for p in requested]
    found = [_os_arch(d) for d in index.images]
    findings: list[Finding] = []
    for platform in wanted:
        count = found.count(platform)
        if count == 0:
            findings.append(Finding("platforms", False,
                                    f"{platform} is missing from the manifest list", platform))
        elif count > 1:
            findings.append(Finding("platforms", False,
                                    f"{platform} appears {count} times in the manifest list",
                                    platform))
    for platform in sorted(set(found) - set(wanted)):
        findings.append(Finding("platforms", False,
                                f"{platform} is in the manifest list but was not requested",
                                platform))
    if not findings:
        held = ", ".join(wanted)
        findings.append(Finding("platforms", True,
                                f"manifest list {index.digest[:19]} holds exactly {held}"))
    return findings


def check_config(descriptor: Descriptor, config: ImageConfig) -> Finding:
    """The image config says the same os/architecture as the manifest list entry."""
    listed = _os_arch(descriptor)
    actual = f"{config.os}/{config.architecture}"
    if listed != actual:
        return Finding("config", False, f"{listed}: the manifest list says {listed} but the "
                       f"image config says {actual}", listed)
    return Finding("config", True, f"{listed}: image config says {actual}", listed)


def check_executable(platform: Platform, config: ImageConfig, tree: FileTree) -> Finding:
    """What ENTRYPOINT+CMD executes (through PATH, symlinks, #!) is an ELF for ``platform``."""
    name = str(platform)
    try:
        chain = exec_chain(tree, config.argv, config.env_map, config.working_dir)
    except ResolutionError as exc:
        return Finding("executable", False, f"{name}: {exc}; the task could not start", name,
                       {"argv": config.argv})
    details = {"argv": config.argv, "chain": [_step_text(s) for s in chain]}
    for step in chain:
        if step.elf is not None and step.elf.machine != platform.arch.elf_machine:
            return Finding("executable", False,
                           f"{name}: {step.path} is {describe_elf(step.elf)}; {EXEC_FORMAT_ERROR}",
                           name, details)
    binary = chain[-1]
    return Finding("executable", True,
                   f"{name}: {' -> '.join(s.path for s in chain)} is "
                   f"{describe_elf(binary.elf) if binary.elf else 'a script'}",
                   name, details)


def check_native_files(platform: Platform, tree: FileTree, shown: int = 3) -> Finding:
    """Every ELF file in the image (libraries, extension modules) is for ``platform``."""
    name = str(platform)
    total = 0
    foreign: list[str] = []
    for path, node in tree.items():
        elf = parse_elf(node.head) if node.kind == "file" else None
        if elf is None:
            continue
        total += 1
        if elf.machine != platform.arch.elf_machine:
            foreign.append(f"{path} ({elf.machine_name})")
    if foreign:
        more = f" and {len(foreign) - shown} more" if len(foreign) > shown else ""
        return Finding("native-files", False,
                       f"{name}: {len(foreign)} of {total} ELF files are for another CPU: "
                       f"{', '.join(sorted(foreign)[:shown])}{more}", name,
                       {"foreign": sorted(foreign)})
    return Finding("native-files", True,
                   f"{name}: all {total} ELF files are {platform.arch.elf_name}", name)


def check_tags(where: str, found: Mapping[str, str | None], digest: str) -> list[Finding]:
    """Every pushed tag resolves to the build's manifest list (a refused push leaves it not)."""
    findings: list[Finding] = []
    for tag, actual in found.items():
        if actual is None:
            findings.append(Finding("tags", False, f"{where}:{tag} is not in the registry"))
        elif actual != digest:
            findings.append(Finding("tags", False,
                                    f"{where}:{tag} is {actual}, not this build's {digest}"))
    if not findings:
        findings.append(Finding("tags", True, f"{where}: {', '.join(found)} -> {digest[:19]}"))
    return findings


def _os_arch(descriptor: Descriptor) -> str:
    return f"{descriptor.os or 'unknown'}/{descriptor.architecture or 'unknown'}"


def _step_text(step: Step) -> str:
    what = describe_elf(step.elf) if step.elf else f"#!{' '.join(step.interpreter)}"
    via = f" (via {', '.join(step.resolved.links)})" if step.resolved.links else ""
    return f"{step.requested} -> {step.path}{via}: {what}"
