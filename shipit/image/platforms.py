"""Image platforms (``linux/amd64``): parsing, the host's own, and what each means for an ELF file.

Only the two platforms ECS Fargate runs are supported: linux/amd64 and linux/arm64.
"""

from __future__ import annotations

import platform as _platform
from collections.abc import Iterable
from dataclasses import dataclass

from shipit.errors import UsageError


@dataclass(frozen=True)
class Architecture:
    oci: str
    """The OCI/Docker name: amd64, arm64."""
    machine: str
    """The kernel's (uname -m) and manylinux wheels' name: x86_64, aarch64."""
    elf_machine: int
    """e_machine in an ELF header: EM_X86_64=62, EM_AARCH64=183."""
    elf_name: str
    """How people name the ELF flavour in messages."""


ARCHITECTURES: dict[str, Architecture] = {
    "amd64": Architecture("amd64", "x86_64", 62, "x86-64"),
    "arm64": Architecture("arm64", "aarch64", 183, "AArch64"),
}
_ALIASES = {"x86_64": "amd64", "x86-64": "amd64", "aarch64": "arm64", "arm64/v8": "arm64"}


@dataclass(frozen=True, order=True)
class Platform:
    os: str
    architecture: str

    def __str__(self) -> str:
        return f"{self.os}/{self.architecture}"

    @property
    def arch(self) -> Architecture:
        return ARCHITECTURES[self.architecture]


def parse_platform(text: str) -> Platform:
    """``linux/arm64`` (also ``linux/arm64/v8``, ``linux/aarch64``) -> Platform."""
    parts = text.strip().lower().split("/")
    if len(parts) == 3 and parts[1] == "arm64" and parts[2] == "v8":
        parts = parts[:2]
    if len(parts) != 2 or parts[0] != "linux":
        raise UsageError(
            f"{text!r} is not a platform; use linux/amd64 or linux/arm64",
            hint="e.g. --platform linux/amd64,linux/arm64",
        )
    arch = _ALIASES.get(parts[1], parts[1])
    if arch not in ARCHITECTURES:
        raise UsageError(
            f"platform {text!r} is not supported; use linux/amd64 or linux/arm64",
            hint="ECS Fargate runs linux/amd64 (X86_64) and linux/arm64 (ARM64)",
        )
    return Platform("linux", arch)


def parse_platforms(items: str | Iterable[str]) -> list[Platform]:
    """A comma list or a sequence of platforms, in order, without repeats."""
    raw = items.split(",") if isinstance(items, str) else [p for i in items for p in i.split(",")]
    result: list[Platform] = []
    for item in raw:
        if not item.strip():
            continue
        platform = parse_platform(item)
        if platform in result:
            raise UsageError(f"platform {platform} is listed twice")
        result.append(platform)
    if not result:
        raise UsageError("no platform given", hint="e.g. --platform linux/amd64,linux/arm64")
    return result


def host_platform(machine: str | None = None) -> Platform:
    """The platform this machine runs natively (where every RUN step of the build happens)."""
    name = (machine or _platform.machine()).lower()
    arch = _ALIASES.get(name, name)
    if arch not in ARCHITECTURES:
        raise UsageError(f"this machine's architecture {name!r} is not amd64 or arm64")
    return Platform("linux", arch)
