"""Write an ``[env.NAME]`` overlay into shipit.toml with tomlkit: every byte outside the new
table stays as it was (comments, order, layout), and the diff is shown before anything is
written. Its sections are inline tables, like the file's other environments."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import Table

from shipit.errors import UsageError
from shipit.redact import Redactor, redact_value


def with_overlay(text: str, env: str, tables: dict[str, dict[str, Any]], *, force: bool,
                 where: str) -> str:
    """``text`` (a shipit.toml) with ``[env.<env>]`` set to ``tables``."""
    document = tomlkit.parse(text)
    envs = document.get("env")
    if envs is None:
        envs = tomlkit.table(is_super_table=True)
        document.add("env", envs)
    elif not isinstance(envs, Table):
        raise UsageError(f"{where}: 'env' is not a table", hint="fix shipit.toml first")
    if env in envs and not force:
        raise UsageError(f"{where}: environment {env!r} already exists",
                         hint="pass --force to replace it, or choose another --env name")
    table = tomlkit.table()
    for section, values in tables.items():
        inline = tomlkit.inline_table()
        inline.update(values)
        table.add(section, inline)
    if env in envs:
        envs[env] = table
        return tomlkit.dumps(document)
    if not text.endswith("\n\n") and text.strip():
        document.add(tomlkit.nl())
    envs.add(env, table)
    return tomlkit.dumps(document).rstrip("\n") + "\n"  # appended last: one final newline


def diff(path: Path, before: str, after: str, redactor: Redactor | None = None) -> str:
    """A unified diff with secret values hidden (the file itself keeps them): by name, shape
    and, through ``redactor``, the exact secret values of both texts."""
    lines = difflib.unified_diff(before.splitlines(keepends=True),
                                 after.splitlines(keepends=True),
                                 fromfile=str(path), tofile=f"{path} (new)")
    redactor = redactor or Redactor()
    return "".join(redactor.text(line) for line in lines)


def shown(key: str, value: Any) -> Any:
    """A value as --explain prints it: secret-looking variables redacted (``secrets`` hold
    ARNs, which are references, and are shown as they are, as `config show` does)."""
    if key.startswith("secrets."):
        return value
    return redact_value(key.rsplit(".", 1)[-1], value)
