"""ELF headers from their first bytes, synthetic and real."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from shipit.image.elf import describe_elf, parse_elf
from tests.image.images import elf_header


@pytest.mark.parametrize(("machine", "name", "described"), [
    (62, "x86-64", "an x86-64 ELF binary"),
    (183, "AArch64", "an AArch64 ELF binary"),
    (40, "ARM (32-bit)", "an ARM (32-bit) ELF binary"),
    (243, "RISC-V", "a RISC-V ELF binary"),
    (999, "machine 999", "a machine 999 ELF binary"),
])
def test_machine(machine: int, name: str, described: str) -> None:
    header = parse_elf(elf_header(machine))
    assert header is not None
    assert (header.machine, header.machine_name, header.bits) == (machine, name, 64)
    assert describe_elf(header) == described


def test_big_endian_32_bit() -> None:
    ident = b"\x7fELF" + bytes([1, 2, 1]) + bytes(9)
    head = ident + (2).to_bytes(2, "big") + (20).to_bytes(2, "big")
    header = parse_elf(head)
    assert header is not None
    assert (header.bits, header.little_endian, header.machine) == (32, False, 20)


@pytest.mark.parametrize("head", [
    b"", b"\x7fELF", b"#!/bin/sh\n", b"\x7fELF" + bytes([3, 1]) + bytes(14),
    b"\x7fELF" + bytes([2, 9]) + bytes(14), b"MZ" + bytes(62),
])
def test_not_elf(head: bytes) -> None:
    assert parse_elf(head) is None


def test_this_interpreter_is_x86_64_or_aarch64() -> None:
    head = Path(sys.executable).resolve().read_bytes()[:64]
    header = parse_elf(head)
    assert header is not None
    assert header.machine in (62, 183)
