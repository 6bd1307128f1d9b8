"""shipit.toml: pydantic models, environment overlays, and errors that name the key and line.

A file has base sections (``[aws]``, ``[image]``, ``[ecs]`` ...) and ``[env.<name>]`` overlays
that are deep-merged over the base. Extra overlays may live in ``.shipit/envs/<name>.toml``
beside the config (``shipit sandbox up`` writes one there, so a checked-in file is never edited);
such a file has the shape of an ``[env.<name>]`` table and replaces one of the same name.
Models are strict: TOML has types, so ``desired_count = "3"`` is an error, not a coercion.
Before any model sees a file it is checked for absurd nesting (``MAX_DEPTH``) and for control
characters in any key or string; every problem names its file, key and line.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from shipit.config_values import check_strings, dns_name_problem, repo_path_problem
from shipit.errors import ConfigError, ConfigProblem, UnknownEnvironment
from shipit.oci_grammar import registry_problem, repository_problem
from shipit.redact import is_secret_name
from shipit.toml_lines import KeyIndex, find_line, nesting_depth

__all__ = [
    "CONFIG_FILENAME",
    "ENV_VAR",
    "LOCAL_ENVS_DIR",
    "Config",
    "Settings",
    "deep_merge",
    "find_config",
    "find_line",
    "load_config",
    "select_env",
]

CONFIG_FILENAME = "shipit.toml"
LOCAL_ENVS_DIR = Path(".shipit") / "envs"
ENV_VAR = "SHIPIT_ENV"
HINT = "README.md section 'shipit.toml' lists every key, its meaning and default"
MAX_DEPTH = 20
"""Deepest nesting read (tables, dotted keys, arrays, inline tables); shipit's keys need 6."""
_ENV_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
_VAR_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SECRET_ARN = re.compile(
    r"^arn:aws[a-z-]*:(secretsmanager:[a-z0-9-]+:\d{12}:secret:.+"
    r"|ssm:[a-z0-9-]+:\d{12}:parameter/.+)$"
)
_ORIGIN = re.compile(r"^https?://[^/\s*?#]+$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")


# -- value types: each says what is wrong in words ----------------------------------------
def _check(pattern: re.Pattern[str], message: str) -> AfterValidator:
    def validate(value: str) -> str:
        if not pattern.match(value):
            raise ValueError(message.format(value=value))
        return value

    return AfterValidator(validate)


Platform = Annotated[
    str, _check(re.compile(r"^linux/(amd64|arm64)$"), "{value!r}: use linux/amd64 or linux/arm64")
]
Origin = Annotated[
    str,
    _check(_ORIGIN, "{value!r} is not an origin; use scheme://host[:port], no path, no '*'"),
]
VarName = Annotated[
    str, _check(_VAR_NAME, "{value!r} is not an environment variable name (A-Z, 0-9, _)")
]
SecretArn = Annotated[
    str,
    _check(
        _SECRET_ARN,
        # The value is not quoted: what sits here by mistake is often the secret itself.
        "is not a Secrets Manager secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:"
        "secret:NAME) or an SSM parameter ARN (arn:aws:ssm:REGION:ACCOUNT:parameter/NAME);"
        " the value is not shown",
    ),
]
Region = Annotated[
    str, _check(_REGION, "{value!r} is not an AWS region code (e.g. us-east-1, eu-west-3)")
]
HttpUrl = Annotated[str, _check(re.compile(r"^https?://\S+$"), "{value!r}: use http(s)://host")]
Name = Annotated[
    str, _check(re.compile(r"^[A-Za-z0-9_-]{1,255}$"), "{value!r}: use letters, digits, - or _")
]


def _problem_check(problem: Any) -> AfterValidator:
    def validate(value: str) -> str:
        reason = problem(value)
        if reason:
            raise ValueError(reason)
        return value

    return AfterValidator(validate)


DnsName = Annotated[str, _problem_check(dns_name_problem)]
RegistryName = Annotated[str, _problem_check(registry_problem)]
RepositoryName = Annotated[str, _problem_check(repository_problem)]
RepoPath = Annotated[str, _problem_check(repo_path_problem)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class AwsSection(_Section):
    region: Region | None = None
    profile: str | None = None
    account_id: str | None = Field(default=None, pattern=r"^\d{12}$")
    endpoint_url: HttpUrl | None = None
    """Send every AWS call here (moto server for the sandbox). AWS_ENDPOINT_URL also works."""


class ImageSection(_Section):
    repository: RepositoryName | None = None
    dockerfile: RepoPath = "Dockerfile"
    """Relative to the folder of shipit.toml, and inside it (checked again, symlinks resolved,
    where the build starts)."""
    context: RepoPath = "."
    platforms: list[Platform] = Field(default_factory=lambda: ["linux/amd64", "linux/arm64"])
    registry: RegistryName | None = None
    """Registry host override, e.g. 127.0.0.1:5000; default: the ECR host of the account."""
    build_args: dict[str, str] = Field(default_factory=dict)
    builder: Literal["buildx", "buildah"] | None = None

    @field_validator("platforms")
    @classmethod
    def _platforms(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("at least one platform is needed, e.g. ['linux/amd64']")
        if len(set(value)) != len(value):
            raise ValueError("platforms must not repeat")
        return value


class EcsSection(_Section):
    cluster: Name | None = None
    service: Name | None = None
    container: Name | None = None
    desired_count: int | None = Field(default=None, ge=0, le=1000)


class RdsSection(_Section):
    instance: str | None = Field(default=None, pattern=r"^[A-Za-z][A-Za-z0-9-]{0,62}$")


class DnsSection(_Section):
    zone: DnsName | None = None
    name: DnsName | None = None

    @model_validator(mode="after")
    def _name_in_zone(self) -> DnsSection:
        if self.zone and self.name:
            zone, name = self.zone.rstrip(".").lower(), self.name.rstrip(".").lower()
            if name != zone and not name.endswith("." + zone):
                raise ValueError(f"dns.name {self.name!r} is not inside dns.zone {self.zone!r}")
        return self


class HttpSection(_Section):
    url: HttpUrl | None = None
    health_path: str = Field(default="/api/health", pattern=r"^/[^\s?#]*$")
    cors_origins: list[Origin] = Field(default_factory=list)
    cors_variable: str = Field(default="CORS_ALLOWED_ORIGINS",
                               pattern=r"^([A-Za-z_][A-Za-z0-9_]*)?$")
    """The task variable the service reads its origins from; "" when it configures CORS itself
    (shipit then writes no variable, and doctor judges CORS by the live preflight alone)."""


class WebSection(_Section):
    """The static frontend: an S3 bucket with website hosting (`shipit web deploy`)."""

    bucket: str | None = Field(
        default=None, pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"
    )
    """S3 bucket name; with web.name it must equal that name (S3 website alias rule)."""
    folder: str = "sample_frontend"
    """The page's files, relative to the folder of shipit.toml; uploaded as they are."""
    name: str | None = None
    """The frontend's DNS record (alias to the S3 website endpoint); inside dns.zone."""
    origin: Origin | None = None
    """The page's origin as browsers send it; default http://web.name, else the website
    endpoint (http://BUCKET.s3-website-REGION.amazonaws.com)."""
    asset_max_age: int = Field(default=31_536_000, ge=0, le=31_536_000)
    """Cache-Control max-age of assets other than index.html and config.js (no-cache)."""


class Settings(_Section):
    """The merged settings of one environment (or of the base when none is selected)."""

    aws: AwsSection = Field(default_factory=AwsSection)
    image: ImageSection = Field(default_factory=ImageSection)
    ecs: EcsSection = Field(default_factory=EcsSection)
    rds: RdsSection = Field(default_factory=RdsSection)
    dns: DnsSection = Field(default_factory=DnsSection)
    http: HttpSection = Field(default_factory=HttpSection)
    web: WebSection = Field(default_factory=WebSection)
    vars: dict[VarName, str] = Field(default_factory=dict)
    secrets: dict[VarName, SecretArn] = Field(default_factory=dict)
    # A name in both vars and secrets is refused by Config (it knows the files and lines).

    @model_validator(mode="after")
    def _web_record(self) -> Settings:
        web, zone = self.web, self.dns.zone
        if web.name and zone:
            name, zone = web.name.rstrip(".").lower(), zone.rstrip(".").lower()
            if name != zone and not name.endswith("." + zone):
                raise ValueError(f"web.name {web.name!r} is not inside dns.zone {self.dns.zone!r}")
        if web.name and web.bucket and web.bucket != web.name.rstrip(".").lower():
            raise ValueError(
                f"web.bucket {web.bucket!r} must equal web.name {web.name!r}: Route53 can alias a"
                " name only to the S3 website bucket of the same name"
            )
        return self

    @model_validator(mode="after")
    def _derived_origins(self) -> Settings:
        # One source: the task's origins variable (http.cors_variable, CORS_ALLOWED_ORIGINS by
        # default) is http.cors_origins + the web origin. Writing it in vars as well is allowed
        # only when it says the same thing.
        from shipit.web.origins import allowed_origins, same_origins

        origins = allowed_origins(self)
        variable = self.http.cors_variable
        if not (origins and variable):
            return self
        written = self.vars.get(variable)
        if written is not None and not same_origins(written, origins):
            raise ValueError(
                f"vars.{variable} = {written!r} disagrees with http.cors_origins + the web"
                f" origin ({', '.join(origins)}); remove it from vars: shipit derives it"
            )
        # The model is frozen; the derived variable is part of what it was validated into.
        object.__setattr__(self, "vars", {**self.vars, variable: ",".join(origins)})
        return self


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
        self._indexes: dict[Path, KeyIndex] = {}

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
        return settings

    def _index(self, source: Path) -> KeyIndex:
        """The key lines of ``source``, scanned once however many problems it has."""
        if source not in self._indexes:
            text = source.read_text(encoding="utf-8") if source.exists() else ""
            self._indexes[source] = KeyIndex(text)
        return self._indexes[source]

    def _locate(self, env: str | None, keys: list[str]) -> tuple[Path, list[str], int | None]:
        """Which file defines ``keys`` for ``env``, the key path as written there, its line."""
        in_overlay = env is not None and _defined_in(self._overlays.get(env, {}), keys)
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
        message += f", got {_toml_type(value)} {shown}"
    return message


def _toml_type(value: object) -> str:
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


def load_config(path: Path) -> Config:
    """Parse shipit.toml and the local overlays beside it; every environment is validated."""
    text = _read(path)
    data = _parse(text, path)
    check_strings(data, path, text)
    project = data.pop("project", None)
    if project is not None and not isinstance(project, str):
        raise ConfigError(
            f"must be a string, got {_toml_type(project)}",
            path=str(path), key="project", line=find_line(text, ["project"]), hint=HINT,
        )  # fmt: skip
    envs = data.pop("env", {})
    if not isinstance(envs, dict):
        raise ConfigError(
            "must be a table of environments, e.g. [env.dev]",
            path=str(path), key="env", line=find_line(text, ["env"]), hint=HINT,
        )  # fmt: skip
    overlays: dict[str, dict[str, Any]] = {}
    sources: dict[str, Path] = {}
    for name, overlay in envs.items():
        _check_overlay(name, overlay, path, text, ["env", name])
        overlays[name] = overlay
        sources[name] = path
    local_dir = path.parent / LOCAL_ENVS_DIR
    if local_dir.is_dir():
        for file in sorted(local_dir.glob("*.toml")):
            local_text = _read(file)
            overlay = _parse(local_text, file)
            check_strings(overlay, file, local_text)
            _check_overlay(file.stem, overlay, file, local_text, [])
            overlays[file.stem] = overlay
            sources[file.stem] = file
    config = Config(path, data, overlays, sources, project)
    try:
        config.settings(None)
        for name in config.environments:
            config.settings(name)
    except RecursionError:  # nesting_depth should make this unreachable; never a traceback
        raise _too_deep(path, None) from None
    return config


def _check_overlay(name: str, overlay: object, path: Path, text: str, keys: list[str]) -> None:
    key, line = ".".join(keys) or None, find_line(text, keys)
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
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("file not found", path=str(path)) from None
    except IsADirectoryError:
        raise ConfigError("is a folder, not a file", path=str(path)) from None
    except UnicodeDecodeError:
        raise ConfigError("not UTF-8 text", path=str(path)) from None


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


def _defined_in(data: Mapping[str, Any], keys: list[str]) -> bool:
    """Whether ``data`` defines the value at ``keys`` (a list or scalar on the way counts)."""
    node: Any = data
    for key in keys:
        if not isinstance(node, Mapping):
            return True
        if key not in node:
            return False
        node = node[key]
    return True
