"""ELF headers: enough of one to tell which CPU a binary is for.

    >>> parse_elf(b"\\x7fELF\\x02\\x01\\x01" + bytes(9) + b"\\x02\\x00\\x3e\\x00").machine_name
    'x86-64'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ELF_MAGIC = b"\x7fELF"
HEADER_BYTES = 20
"""e_machine ends at byte 20; callers keep at least this much of each file."""

MACHINE_NAMES: dict[int, str] = {
    3: "x86 (32-bit)",
    8: "MIPS",
    20: "PowerPC",
    21: "PowerPC64",
    22: "s390",
    40: "ARM (32-bit)",
    62: "x86-64",
    183: "AArch64",
    243: "RISC-V",
}


@dataclass(frozen=True)
class ElfHeader:
    bits: int
    """32 or 64 (EI_CLASS)."""
    little_endian: bool
    machine: int
    """e_machine: 62 is x86-64, 183 is AArch64."""
    kind: int
    """e_type: 2 executable, 3 shared object (PIE executables are 3 too)."""

    @property
    def machine_name(self) -> str:
        return MACHINE_NAMES.get(self.machine, f"machine {self.machine}")


def is_elf(head: bytes) -> bool:
    return head[:4] == ELF_MAGIC


def parse_elf(head: bytes) -> ElfHeader | None:
    """The header of an ELF file from its first bytes, or None if they are not ELF."""
    if len(head) < HEADER_BYTES or not is_elf(head):
        return None
    ei_class, ei_data = head[4], head[5]
    if ei_class not in (1, 2) or ei_data not in (1, 2):
        return None
    order: Literal["little", "big"] = "little" if ei_data == 1 else "big"
    return ElfHeader(
        bits=32 if ei_class == 1 else 64,
        little_endian=ei_data == 1,
        kind=int.from_bytes(head[16:18], order),
        machine=int.from_bytes(head[18:20], order),
    )


def describe_elf(header: ElfHeader) -> str:
    """'an x86-64 ELF binary' / 'an AArch64 ELF binary' for messages."""
    name = header.machine_name
    article = "an" if name[0].lower() in "aeiox" else "a"
    return f"{article} {name} ELF binary"
