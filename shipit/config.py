"""shipit.toml: pydantic models, environment overlays, and errors that name the key and line.

A file has base sections (``[aws]``, ``[image]``, ``[ecs]`` ...) and ``[env.<name>]`` overlays
that are deep-merged over the base. Extra overlays may live in ``.shipit/envs/<name>.toml``
beside the config (``shipit sandbox up`` writes one there, so a checked-in file is never edited).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from shipit.errors import ConfigError, UsageError

CONFIG_FILENAME = "shipit.toml"
LOCAL_ENVS_DIR = Path(".shipit") / "envs"
ENV_VAR = "SHIPIT_ENV"
_ENV_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
_VAR_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PLATFORM = re.compile(r"^linux/(amd64|arm64)$")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AwsSection(_Section):
    region: str | None = None
    profile: str | None = None
    account_id: str | None = Field(default=None, pattern=r"^\d{12}$")
    endpoint_url: str | None = None
    """Send every AWS call here (moto server for the sandbox). AWS_ENDPOINT_URL also works."""


class ImageSection(_Section):
    repository: str | None = None
    dockerfile: str = "Dockerfile"
    context: str = "."
    platforms: list[str] = Field(default_factory=lambda: ["linux/amd64", "linux/arm64"])
    registry: str | None = None
    """Registry host override, e.g. 127.0.0.1:5000; default: the ECR host of the account."""
    build_args: dict[str, str] = Field(default_factory=dict)
    builder: str | None = Field(default=None, pattern=r"^(buildx|buildah)$")

    @field_validator("platforms")
    @classmethod
    def _platforms(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("at least one platform is needed, e.g. ['linux/amd64']")
        for item in value:
            if not _PLATFORM.match(item):
                raise ValueError(f"{item!r} is not supported; use linux/amd64 or linux/arm64")
        if len(set(value)) != len(value):
            raise ValueError("platforms must not repeat")
        return value


class EcsSection(_Section):
    cluster: str | None = None
    service: str | None = None
    container: str | None = None
    desired_count: int | None = Field(default=None, ge=0, le=1000)


class RdsSection(_Section):
    instance: str | None = None


class DnsSection(_Section):
    zone: str | None = None
    name: str | None = None


class HttpSection(_Section):
    url: str | None = Field(default=None, pattern=r"^https?://")
    health_path: str = Field(default="/api/health", pattern=r"^/")
    cors_origins: list[str] = Field(default_factory=list)

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            if origin == "*" or not re.match(r"^https?://[^/\s]+$", origin):
                raise ValueError(
                    f"{origin!r} is not an origin; use scheme://host[:port], no path, no '*'"
                )
        return value


class Settings(_Section):
    """The merged settings of one environment (or of the base when none is selected)."""

    aws: AwsSection = Field(default_factory=AwsSection)
    image: ImageSection = Field(default_factory=ImageSection)
    ecs: EcsSection = Field(default_factory=EcsSection)
    rds: RdsSection = Field(default_factory=RdsSection)
    dns: DnsSection = Field(default_factory=DnsSection)
    http: HttpSection = Field(default_factory=HttpSection)
    vars: dict[str, str] = Field(default_factory=dict)
    secrets: dict[str, str] = Field(default_factory=dict)

    @field_validator("vars", "secrets")
    @classmethod
    def _names(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if not _VAR_NAME.match(name):
                raise ValueError(f"{name!r} is not a valid environment variable name")
        return value

    @field_validator("secrets")
    @classmethod
    def _arns(cls, value: dict[str, str]) -> dict[str, str]:
        for name, arn in value.items():
            if not re.match(r"^arn:aws[a-z-]*:(secretsmanager|ssm):", arn):
                raise ValueError(f"{name}: {arn!r} is not a Secrets Manager or SSM parameter ARN")
        return value


class Config:
    """A loaded shipit.toml: the base, every environment, and the selected one."""

    def __init__(
        self,
        path: Path,
        base: Mapping[str, Any],
        overlays: Mapping[str, Mapping[str, Any]],
        sources: Mapping[str, Path],
        project: str | None,
    ) -> None:
        self.path = path
        self.root = path.parent
        self.project = project
        self._base = dict(base)
        self._overlays = {name: dict(data) for name, data in overlays.items()}
        self._sources = dict(sources)
        self._cache: dict[str | None, Settings] = {}

    @property
    def environments(self) -> list[str]:
        return sorted(self._overlays)

    def raw(self, env: str | None) -> dict[str, Any]:
        """The merged, unvalidated mapping for ``env`` (None: the base alone)."""
        if env is None:
            return deep_merge({}, self._base)
        self._check_env(env)
        return deep_merge(self._base, self._overlays[env])

    def settings(self, env: str | None) -> Settings:
        """Validated settings for ``env``; errors name the file, key path and line."""
        if env not in self._cache:
            if env is not None:
                self._check_env(env)
            self._cache[env] = self._validate(env)
        return self._cache[env]

    def _check_env(self, env: str) -> None:
        if env not in self._overlays:
            known = ", ".join(self.environments) or "none defined"
            raise UsageError(
                f"unknown environment {env!r} (known: {known})",
                hint=f"add an [env.{env}] table to {self.path.name} or pick a known one",
            )

    def _validate(self, env: str | None) -> Settings:
        try:
            return Settings.model_validate(self.raw(env))
        except ValidationError as exc:
            raise self._config_error(env, exc) from None

    def _config_error(self, env: str | None, exc: ValidationError) -> ConfigError:
        first = exc.errors()[0]
        keys = [str(part) for part in first["loc"]]
        overlay = self._overlays.get(env or "", {})
        in_overlay = env is not None and _has_path(overlay, keys)
        source = self._sources.get(env or "", self.path) if in_overlay else self.path
        shown = keys
        if in_overlay and source == self.path:
            shown = ["env", str(env), *keys]
        key = ".".join(shown)
        message = first["msg"]
        if first["type"] == "extra_forbidden":
            message = f"unknown key {keys[-1]!r}"
        line = find_line(source.read_text(encoding="utf-8"), shown) if source.exists() else None
        more = len(exc.errors()) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        return ConfigError(
            message + suffix,
            path=str(source),
            key=key,
            line=line,
            hint="see shipit.toml in the shipit repository for every key and its meaning",
        )


def select_env(explicit: str | None, environ: Mapping[str, str] | None = None) -> str | None:
    """The environment named by ``--env``, else by SHIPIT_ENV, else None (the base)."""
    environ = os.environ if environ is None else environ
    return explicit or environ.get(ENV_VAR) or None


def find_config(start: Path, explicit: Path | None = None) -> Path:
    """``--config`` if given, else shipit.toml in ``start`` or the nearest parent."""
    if explicit is not None:
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


def load_config(path: Path) -> Config:
    """Parse shipit.toml and the local overlays beside it; every environment is validated."""
    text = _read(path)
    data = _parse(text, path)
    project = data.pop("project", None)
    if project is not None and not isinstance(project, str):
        raise ConfigError("must be a string", path=str(path), key="project",
                          line=find_line(text, ["project"]))
    envs = data.pop("env", {})
    if not isinstance(envs, dict):
        raise ConfigError("must be a table of environments, e.g. [env.dev]", path=str(path),
                          key="env", line=find_line(text, ["env"]))
    overlays: dict[str, dict[str, Any]] = {}
    sources: dict[str, Path] = {}
    for name, overlay in envs.items():
        _check_overlay(name, overlay, path, text)
        overlays[name] = overlay
        sources[name] = path
    local_dir = path.parent / LOCAL_ENVS_DIR
    if local_dir.is_dir():
        for file in sorted(local_dir.glob("*.toml")):
            name = file.stem
            overlay = _parse(_read(file), file)
            _check_overlay(name, overlay, file, None)
            overlays[name] = overlay
            sources[name] = file
    config = Config(path, data, overlays, sources, project)
    config.settings(None)
    for name in config.environments:
        config.settings(name)
    return config


def _check_overlay(name: str, overlay: object, path: Path, text: str | None) -> None:
    if not _ENV_NAME.match(name):
        raise ConfigError(
            "environment names are lowercase letters, digits, '-' or '_'",
            path=str(path), key=f"env.{name}",
            line=find_line(text, ["env", name]) if text else None,
        )
    if not isinstance(overlay, dict):
        raise ConfigError("must be a table", path=str(path), key=f"env.{name}")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("file not found", path=str(path)) from None
    except UnicodeDecodeError:
        raise ConfigError("not UTF-8 text", path=str(path)) from None


def _parse(text: str, path: Path) -> dict[str, Any]:
    try:
        parsed: dict[str, Any] = tomllib.loads(text)
        return parsed
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise ConfigError(
            f"not valid TOML: {exc}",
            path=str(path),
            line=int(match.group(1)) if match else None,
            hint="see https://toml.io for the syntax",
        ) from None


def deep_merge(base: Mapping[str, Any], overlay: Mapping[str, Any]) -> dict[str, Any]:
    """Tables merge key by key; any other value in ``overlay`` replaces the base's."""
    merged: dict[str, Any] = {key: _deep_copy(value) for key, value in base.items()}
    for key, value in overlay.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = _deep_copy(value)
    return merged


def _deep_copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value


def _has_path(data: Mapping[str, Any], keys: list[str]) -> bool:
    node: Any = data
    for key in keys:
        if not isinstance(node, Mapping) or key not in node:
            return False
        node = node[key]
    return True


_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_.\-\"' ]+?)\s*=")


def find_line(text: str, keys: list[str]) -> int | None:
    """Best-effort 1-based line of a dotted key path in TOML text (tables and dotted keys)."""
    wanted = [k.strip() for k in keys]
    best: int | None = None
    table: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            table = _split_key(header.group(1))
            if table == wanted[: len(table)] and best is None and table == wanted:
                best = number
            continue
        key = _KEY.match(line)
        if key:
            full = table + _split_key(key.group(1))
            n = min(len(full), len(wanted))
            if full[:n] == wanted[:n] and n >= len(wanted) - 0:
                return number
            if full == wanted[: len(full)] and best is None:
                best = number
    return best


def _split_key(raw: str) -> list[str]:
    return [part.strip().strip("\"'") for part in raw.split(".")]
