"""Reading shipit.toml and its local overlays: limits first (nesting, characters), then TOML,
then the models. Every problem names its file, key and line.

Extra overlays may live in ``.shipit/envs/<name>.toml`` beside the config (``shipit sandbox up``
writes one there, so a checked-in file is never edited); such a file has the shape of an
``[env.<name>]`` table and replaces one of the same name.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from shipit.config.line_index import KeyIndex, nesting_depth
from shipit.config.project import HINT, Config, toml_type
from shipit.config.values import check_strings
from shipit.errors import ConfigError
from shipit.project_paths import LOCAL_ENVS_DIR

MAX_DEPTH = 20
"""Deepest nesting read (tables, dotted keys, arrays, inline tables); shipit's keys need 6."""
MAX_FILE_BYTES = 1 << 20
"""Largest shipit.toml (or overlay) read: 1 MiB. The reference file is under 4 KB."""
MAX_LINE_CHARS = 16 * 1024
"""Longest line read (so the longest one-line value): 16 KiB. Checked before parsing."""
MAX_ITEMS = 10_000
"""Most keys, array elements and table headers read (counted as '=', ',' and '[' lines before
parsing): 10,000. The reference file has about 60; 200,000 [[tables]] took 42 s to refuse."""
_ENV_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


def load_config(path: Path) -> Config:
    """Parse shipit.toml and the local overlays beside it; every environment is validated."""
    text = _read(path)
    data = _parse(text, path)
    index = KeyIndex(text)  # one line index per file, for every problem of this load
    indexes = {path: index}
    check_strings(data, path, index)
    project = data.pop("project", None)
    if project is not None and not isinstance(project, str):
        raise ConfigError(
            f"must be a string, got {toml_type(project)}",
            path=str(path), key="project", line=index.line(["project"]), hint=HINT,
        )  # fmt: skip
    envs = data.pop("env", {})
    if not isinstance(envs, dict):
        raise ConfigError(
            "must be a table of environments, e.g. [env.dev]",
            path=str(path), key="env", line=index.line(["env"]), hint=HINT,
        )  # fmt: skip
    overlays: dict[str, dict[str, Any]] = {}
    sources: dict[str, Path] = {}
    for name, overlay in envs.items():
        _check_overlay(name, overlay, path, index, ["env", name])
        overlays[name] = overlay
        sources[name] = path
    local_dir = path.parent / LOCAL_ENVS_DIR
    if local_dir.is_dir():
        for file in sorted(local_dir.glob("*.toml")):
            local_text = _read(file)
            overlay = _parse(local_text, file)
            indexes[file] = KeyIndex(local_text)
            check_strings(overlay, file, indexes[file])
            _check_overlay(file.stem, overlay, file, indexes[file], [])
            overlays[file.stem] = overlay
            sources[file.stem] = file
    config = Config(path, data, overlays, sources, project, indexes)
    try:
        config.settings(None)
        for name in config.environments:
            config.settings(name)
    except RecursionError:  # nesting_depth should make this unreachable; never a traceback
        raise _too_deep(path, None) from None
    return config


def _check_overlay(name: str, overlay: object, path: Path, index: KeyIndex,
                   keys: list[str]) -> None:
    key, line = ".".join(keys) or None, index.line(keys)
    if not _ENV_NAME.match(name):
        raise ConfigError(
            f"environment name {name!r}: use lowercase letters, digits, '-' or '_'"
            " (start with a letter, at most 32)",
            path=str(path), key=key, line=line,
        )  # fmt: skip
    if not isinstance(overlay, dict):
        raise ConfigError(
            "must be a table, e.g. [env.NAME]", path=str(path), key=key, line=line
        )


def _read(path: Path) -> str:
    """The file's text, refused before any parsing when it is over a limit or not UTF-8; each
    refusal names the line where the problem is."""
    try:
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError("file not found", path=str(path)) from None
    except IsADirectoryError:
        raise ConfigError("is a folder, not a file", path=str(path)) from None
    if len(data) > MAX_FILE_BYTES:
        raise ConfigError(
            f"the file is larger than {MAX_FILE_BYTES // 1024} KiB (the limit is crossed on this"
            " line); shipit.toml holds settings, not data",
            path=str(path), line=data[:MAX_FILE_BYTES].count(b"\n") + 1, hint=HINT)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        start = data.rfind(b"\n", 0, exc.start) + 1
        raise ConfigError(
            f"not UTF-8 text: byte 0x{data[exc.start]:02X} at column {exc.start - start + 1}",
            path=str(path), line=data[:exc.start].count(b"\n") + 1,
            hint="save the file as UTF-8") from None
    items = 0
    for number, line in enumerate(text.split("\n"), 1):
        if len(line) > MAX_LINE_CHARS:
            raise ConfigError(
                f"the line is {len(line):,} characters long; at most {MAX_LINE_CHARS:,} (a"
                " value this long belongs in a file or a secret, not in shipit.toml)",
                path=str(path), line=number, hint=HINT)
        items += line.count("=") + line.count(",") + line.lstrip().startswith("[")
        if items > MAX_ITEMS:
            raise ConfigError(
                f"more than {MAX_ITEMS:,} keys, array elements and tables by this line;"
                " shipit.toml holds settings, not data", path=str(path), line=number, hint=HINT)
    return text


def _too_deep(path: Path, line: int | None) -> ConfigError:
    return ConfigError(
        f"nested more than {MAX_DEPTH} levels deep (tables, dotted keys, arrays and inline"
        " tables together); shipit.toml needs at most 6",
        path=str(path), line=line, hint=HINT,
    )  # fmt: skip


def _parse(text: str, path: Path) -> dict[str, Any]:
    line = nesting_depth(text, MAX_DEPTH)
    if line is not None:
        raise _too_deep(path, line)
    try:
        parsed: dict[str, Any] = tomllib.loads(text)
        return parsed
    except RecursionError:
        raise _too_deep(path, None) from None
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        column = f", column {match.group(2)}" if match else ""
        raise ConfigError(
            f"not valid TOML: {reason}{column}",
            path=str(path),
            line=int(match.group(1)) if match else None,
            hint="see https://toml.io for the syntax",
        ) from None
