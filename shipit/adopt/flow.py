"""Adopting as named steps, for the CLI and any program: ``plan`` (lay the discovered values
out as ``[env.NAME]``, validate the result in memory, diff it with secrets hidden) then
``apply`` (write, load the file again, and put the saved bytes back on any failure).

Nothing is written unless the whole file, with the new environment, loads: an adopted value
the schema refuses stops the run with exit 2 naming the key, the value's source and the value
(never a secret's), and the file keeps its bytes.
"""

from __future__ import annotations

import contextlib
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shipit.adopt.overlay import diff, with_overlay
from shipit.adopt.overlay import shown as overlay_shown
from shipit.errors import ConfigError, UsageError
from shipit.redact import Redactor, secret_values

if TYPE_CHECKING:
    from shipit.adopt.model import Discovery
    from shipit.config import Config


class Refused(UsageError):
    """An adopted value shipit.toml cannot hold: nothing is written (exit 2)."""


@dataclass(frozen=True)
class Plan:
    env: str
    path: Path
    saved: bytes
    """The file's bytes when the plan was made: what any failure puts back."""
    after: str
    diff: str
    """The unified diff, secret values hidden (the file itself keeps them)."""


def plan(config: Config, env: str, found: Discovery, *, force: bool) -> Plan:
    saved = config.path.read_bytes()
    before = saved.decode("utf-8")
    tables = found.overlay()
    after = with_overlay(before, env, tables, force=force, where=str(config.path))
    check(config, env, after, found)
    redactor = Redactor(secret_values(tomllib.loads(before)) | secret_values(tables))
    return Plan(env, config.path, saved, after, diff(config.path, before, after, redactor))


def check(config: Config, env: str, after: str, found: Discovery) -> None:
    """Validate ``[env.<env>]`` of ``after`` over the loaded base, as loading the file would;
    a problem becomes ``Refused`` naming the key, where its value came from, and the value."""
    from shipit.config import Config as LoadedConfig
    from shipit.config.line_index import KeyIndex
    from shipit.config.values import check_strings

    try:
        overlay: dict[str, Any] = tomllib.loads(after)["env"][env]
    except tomllib.TOMLDecodeError as exc:  # tomlkit wrote what tomllib cannot read: a bug
        raise Refused(f"not written: the new [env.{env}] would not parse ({exc})",
                      hint=f"{config.path} is unchanged; please report this") from None
    try:
        check_strings(overlay, config.path, KeyIndex(after))
        LoadedConfig(config.path, config.raw(None), {env: overlay}, {env: config.path},
                     config.project).settings(env)
    except ConfigError as exc:
        lines = [_explained(problem.key, problem.message, env, found)
                 for problem in exc.problems]
        raise Refused(
            f"not written: {len(lines)} adopted value(s) do not fit shipit.toml:\n"
            + "\n".join(f"  {line}" for line in lines),
            hint=f"{config.path} is unchanged; fix the value in AWS (or the option that"
            " chose it) and run init again") from None


def _explained(key: str | None, message: str, env: str, found: Discovery) -> str:
    dotted = (key or "").removeprefix(f"env.{env}.")
    source = next((f for f in sorted(found.values, key=lambda f: -len(f.key))
                   if dotted == f.key or dotted.startswith(f.key + ".")), None)
    where = f" (from {source.source})" if source else ""
    value = ""
    if source is not None and source.key == dotted and not dotted.startswith("secrets."):
        shown = repr(overlay_shown(dotted, source.value))
        value = "" if shown in message else f", got {shown}"
    return f"{dotted or 'the environment'}: {message}{value}{where}"


def apply(plan: Plan) -> None:
    """Write the new file, then load it as every command will; on any failure (an error, an
    interrupt) the saved bytes go back before the exception goes on."""
    from shipit.config import load_config

    try:
        write(plan.path, plan.after.encode("utf-8"))
        load_config(plan.path).settings(plan.env)
    except BaseException:
        write(plan.path, plan.saved)
        raise


def write(path: Path, data: bytes) -> None:
    """Replace the file's content atomically, through a symlink, keeping its mode."""
    target = path.resolve()
    temporary = target.with_name(target.name + ".shipit-tmp")
    temporary.write_bytes(data)
    with contextlib.suppress(FileNotFoundError):
        os.chmod(temporary, target.stat().st_mode & 0o7777)
    temporary.replace(target)
