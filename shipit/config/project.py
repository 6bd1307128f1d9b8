"""A loaded shipit.toml (``Config``): the base, every environment, and errors that name the file,
key and line of each problem, in shipit's words rather than pydantic's."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from shipit.config.line_index import KeyIndex
from shipit.config.models import Settings
from shipit.config.origins import allowed_origins, same_origins
from shipit.config.overlays import deep_merge, defined_in
from shipit.errors import ConfigError, ConfigProblem, UnknownEnvironment
from shipit.redact import is_secret_name

PATH_KEYS = [["image", "dockerfile"], ["image", "context"], ["web", "folder"],
             ["aws", "credentials_file"]]
"""Every key that names a file or folder: each must resolve inside the repository."""
HINT = "docs/configuration.md lists every key of shipit.toml, its meaning and default"


class Config:
    """A loaded shipit.toml: the base, every environment, and the selected one."""

    def __init__(
        self,
        path: Path,
        base: Mapping[str, Any],
        overlays: Mapping[str, Mapping[str, Any]],
        sources: Mapping[str, Path],
        project: str | None,
        indexes: Mapping[Path, KeyIndex] | None = None,
    ) -> None:
        self.path = path
        self.root = path.parent
        self.project = project
        self._base = dict(base)
        self._overlays = {name: dict(data) for name, data in overlays.items()}
        self._sources = dict(sources)
        self._cache: dict[str | None, Settings] = {}
        self._indexes: dict[Path, KeyIndex] = dict(indexes or {})  # load's, reused

    @property
    def environments(self) -> list[str]:
        return sorted(self._overlays)

    def source(self, env: str | None) -> Path:
        """The file that defines ``env`` (shipit.toml, or a .shipit/envs/ overlay)."""
        return self._sources.get(env, self.path) if env else self.path

    def raw(self, env: str | None) -> dict[str, Any]:
        """The merged, unvalidated mapping for ``env`` (None: the base alone)."""
        if env is None:
            return deep_merge({}, self._base)
        self._check_env(env, None)
        return deep_merge(self._base, self._overlays[env])

    def settings(self, env: str | None, *, source: str | None = None) -> Settings:
        """Validated settings for ``env``; ``source`` ("--env", "SHIPIT_ENV") is for messages."""
        if env not in self._cache:
            if env is not None:
                self._check_env(env, source)
            self._cache[env] = self._validate(env)
        return self._cache[env]

    def _check_env(self, env: str, source: str | None) -> None:
        if env not in self._overlays:
            close = difflib.get_close_matches(env, self.environments, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise UnknownEnvironment(
                env,
                known=self.environments,
                source=source,
                hint=hint + f"add an [env.{env}] table to {self.path.name} or pick a known one",
            )

    def _validate(self, env: str | None) -> Settings:
        try:
            settings = Settings.model_validate(self.raw(env))
        except ValidationError as exc:
            raise self._config_error(env, exc) from None
        both = sorted(set(settings.vars) & set(settings.secrets))
        if both:
            raise self._error(env, [
                (f"{name} is in both vars ({self._where(env, ['vars', name])}) and secrets; a"
                 " task can set a name only once: keep the secret, remove the var",
                 ["secrets", name]) for name in both])
        # One source: the task's CORS variable is derived (config.origins.task_environment);
        # writing it in vars too is allowed only when it says the same thing.
        variable = settings.http.cors_variable
        origins, written = allowed_origins(settings), settings.vars.get(variable)
        if variable and origins and written is not None and not same_origins(written, origins):
            raise self._error(env, [(
                f"vars.{variable} = {written!r} disagrees with http.cors_origins + the web"
                f" origin ({', '.join(origins)}); remove it from vars: shipit derives it",
                ["vars", variable])])
        outside = [(message, keys) for keys in PATH_KEYS
                   if (message := self._leaves_root(settings, keys)) is not None]
        if outside:
            raise self._error(env, outside)
        return settings

    def _leaves_root(self, settings: Settings, keys: list[str]) -> str | None:
        """Why the path at ``keys`` resolves (symlinks followed) outside the repository."""
        value = getattr(getattr(settings, keys[0]), keys[1])
        if value is None:
            return None
        home = self.root.resolve()
        resolved = (self.root / value).resolve()
        if resolved.is_relative_to(home):
            return None
        return (f"{value!r} resolves to {resolved}, outside the repository {home} (a symlink"
                " leads out); paths must stay inside the folder of shipit.toml")

    def _index(self, source: Path) -> KeyIndex:
        """The key lines of ``source``, scanned once however many problems it has."""
        if source not in self._indexes:
            text = source.read_text(encoding="utf-8") if source.exists() else ""
            self._indexes[source] = KeyIndex(text)
        return self._indexes[source]

    def _locate(self, env: str | None, keys: list[str]) -> tuple[Path, list[str], int | None]:
        """Which file defines ``keys`` for ``env``, the key path as written there, its line."""
        in_overlay = env is not None and defined_in(self._overlays.get(env, {}), keys)
        source = self.source(env) if in_overlay else self.path
        shown = ["env", str(env), *keys] if in_overlay and source == self.path else keys
        return source, shown, self._index(source).line(shown) if shown else None

    def _where(self, env: str | None, keys: list[str]) -> str:
        source, _, line = self._locate(env, keys)
        return f"{source.name}:{line}" if line else source.name

    def _error(self, env: str | None, found: list[tuple[str, list[str]]]) -> ConfigError:
        problems: list[ConfigProblem] = []
        seen: set[str] = set()
        for message, keys in found:
            source, shown, line = self._locate(env, keys)
            problem = ConfigProblem(message, path=str(source), key=".".join(shown) or None,
                                    line=line)
            if str(problem) not in seen:
                seen.add(str(problem))
                problems.append(problem)
        first, *more = problems
        return ConfigError(
            first.message, path=first.path, key=first.key, line=first.line, hint=HINT, more=more
        )

    def _config_error(self, env: str | None, exc: ValidationError) -> ConfigError:
        found: list[tuple[str, list[str]]] = []
        for error in exc.errors():
            keys = [str(part) for part in error["loc"] if part != "[key]"]
            found.append((_message(error, keys), keys))
        return self._error(env, found)


def _message(error: Any, keys: list[str]) -> str:
    """pydantic's message in shipit's words: unknown keys list the known ones."""
    kind = error["type"]
    if kind == "extra_forbidden":
        known = _known_keys(keys[:-1])
        close = difflib.get_close_matches(keys[-1], known, n=1)
        guess = f"; did you mean {close[0]!r}?" if close else ""
        listed = f" (known: {', '.join(known)})" if known else ""
        return f"unknown key {keys[-1]!r}{guess}{listed}"
    message = str(error["msg"]).removeprefix("Value error, ")
    if kind.endswith("_type") or kind in {"int_parsing", "bool_parsing"}:
        value = error.get("input")
        shown = "***" if keys and is_secret_name(keys[-1]) else repr(value)
        shown = shown if len(shown) <= 80 else shown[:77] + "..."  # a 200,000-element array
        message += f", got {toml_type(value)} {shown}"
    return message


def toml_type(value: object) -> str:
    names = {bool: "boolean", int: "integer", float: "float", str: "string", list: "array",
             dict: "table"}  # fmt: skip
    return names.get(type(value), type(value).__name__)


def _known_keys(parent: list[str]) -> list[str]:
    model: type[BaseModel] = Settings
    for key in parent:
        field = model.model_fields.get(key)
        annotation = field.annotation if field else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return list(model.model_fields)
