"""Where a local stand-in for AWS plugs in (the sandbox is one): product commands ask, never import.

A stand-in answers for the endpoint it serves: the loopback addresses it keeps where AWS would
answer by name (``init --from-aws`` and ``export`` read them: shipit.adopt.emulated), and a line
telling the user how it runs tasks (``deploy`` prints it). The CLI's composition plugs the
sandbox in (shipit/cli/sandbox.py); with none plugged in, or none serving that endpoint, both
answers are None and the commands behave as against AWS.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

if TYPE_CHECKING:
    from shipit.adopt.emulated import LocalAddresses


class StandIn(Protocol):
    def addresses(self, root: Path, endpoint_url: str | None) -> LocalAddresses | None:
        """What it serves on loopback, when it is the one behind ``endpoint_url``."""
        ...

    def note(self, root: Path, endpoint_url: str | None) -> str | None:
        """One line for the user about how it runs tasks, when it serves ``endpoint_url``."""
        ...


_PLUGGED: list[StandIn] = []
T = TypeVar("T")


def plug_in(stand_in: StandIn) -> None:
    if stand_in not in _PLUGGED:
        _PLUGGED.append(stand_in)


def addresses(root: Path, endpoint_url: str | None) -> LocalAddresses | None:
    return _first(lambda stand_in: stand_in.addresses(root, endpoint_url))


def note(root: Path, endpoint_url: str | None) -> str | None:
    return _first(lambda stand_in: stand_in.note(root, endpoint_url))


def _first(ask: Callable[[StandIn], T | None]) -> T | None:
    """The first plugged-in stand-in's answer (the one serving that endpoint), or None."""
    return next((found for found in map(ask, _PLUGGED) if found is not None), None)
