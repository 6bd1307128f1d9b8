"""Platform names: parsing, aliases, errors, and what each means for ELF files."""

from __future__ import annotations

import pytest

from shipit.errors import UsageError
from shipit.image.platforms import Platform, host_platform, parse_platform, parse_platforms

AMD64, ARM64 = Platform("linux", "amd64"), Platform("linux", "arm64")


@pytest.mark.parametrize(("text", "expected"), [
    ("linux/amd64", AMD64),
    ("linux/arm64", ARM64),
    (" Linux/ARM64 ", ARM64),
    ("linux/arm64/v8", ARM64),
    ("linux/aarch64", ARM64),
    ("linux/x86_64", AMD64),
])
def test_parse_platform(text: str, expected: Platform) -> None:
    assert parse_platform(text) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("amd64", "is not a platform"),
    ("windows/amd64", "is not a platform"),
    ("linux/s390x", "not supported"),
    ("linux/arm/v7", "is not a platform"),
])
def test_parse_platform_rejects(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message) as caught:
        parse_platform(text)
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(("items", "expected"), [
    ("linux/amd64,linux/arm64", [AMD64, ARM64]),
    ("linux/arm64, linux/amd64", [ARM64, AMD64]),
    (["linux/amd64", "linux/arm64"], [AMD64, ARM64]),
    (["linux/amd64,linux/arm64"], [AMD64, ARM64]),
    ("linux/amd64,", [AMD64]),
])
def test_parse_platforms(items: str | list[str], expected: list[Platform]) -> None:
    assert parse_platforms(items) == expected


@pytest.mark.parametrize(("items", "message"), [
    ("linux/amd64,linux/amd64", "listed twice"),
    ("linux/arm64,linux/aarch64", "listed twice"),
    ("", "no platform"),
    (",", "no platform"),
])
def test_parse_platforms_rejects(items: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_platforms(items)


@pytest.mark.parametrize(("machine", "expected"), [
    ("x86_64", AMD64), ("aarch64", ARM64), ("arm64", ARM64), ("AMD64", AMD64)])
def test_host_platform(machine: str, expected: Platform) -> None:
    assert host_platform(machine) == expected


def test_host_platform_unsupported() -> None:
    with pytest.raises(UsageError, match="riscv64"):
        host_platform("riscv64")


def test_architecture_facts() -> None:
    assert (AMD64.arch.machine, AMD64.arch.elf_machine) == ("x86_64", 62)
    assert (ARM64.arch.machine, ARM64.arch.elf_machine) == ("aarch64", 183)
    assert str(ARM64) == "linux/arm64"
