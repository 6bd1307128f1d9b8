"""Where shipit.toml is, and which environment a command is for."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from shipit.errors import ConfigError

CONFIG_FILENAME = "shipit.toml"
ENV_VAR = "SHIPIT_ENV"


def select_env(explicit: str | None, environ: Mapping[str, str] | None = None) -> str | None:
    """The environment named by ``--env``, else by SHIPIT_ENV, else None (the base)."""
    environ = os.environ if environ is None else environ
    return explicit or environ.get(ENV_VAR) or None


def find_config(start: Path, explicit: Path | None = None) -> Path:
    """``--config`` (a file, or a folder holding shipit.toml), else the nearest shipit.toml."""
    if explicit is not None:
        if explicit.is_dir() and (explicit / CONFIG_FILENAME).is_file():
            return explicit / CONFIG_FILENAME
        if not explicit.is_file():
            raise ConfigError(
                "config file not found", path=str(explicit), hint="check the --config path"
            )
        return explicit
    for folder in [start, *start.parents]:
        candidate = folder / CONFIG_FILENAME
        if candidate.is_file():
            return candidate
    raise ConfigError(
        f"no {CONFIG_FILENAME} in {start} or any parent folder",
        hint="run shipit from your project, or pass --config PATH",
    )
