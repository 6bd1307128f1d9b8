"""Settings from environment variables only, with the same names in dev, staging and prod.

`load_settings(environ)` takes the mapping to read (a test hands in a dict) and raises
`ConfigError` naming the variable at fault. The variables:

    DATABASE_URL            postgresql://user@host:5432/db or sqlite:///path/file.db
    DB_URL                  alias of DATABASE_URL (the checklist's name); set one, or both equal
    DB_PASSWORD             overrides the URL's password (ECS injects secrets separately)
    DB_POOL_SIZE            PostgreSQL connections per process, 1-100 (default 10)
    DB_STARTUP_TIMEOUT      seconds to keep retrying the database at start-up, 0-600 (default 30)
    APP_ENV                 dev (default) allows the embedded SQLite file; anything else needs a URL
    APP_VERSION             reported by /api/health (default: the package version)
    CORS_ALLOWED_ORIGINS    comma list of exact origins (https://app.example.com); no wildcard
    LOG_LEVEL               debug, info (default), warning, error, critical
    HOST / PORT             listen address, default 0.0.0.0:8000
    HTTP_HEADER_TIMEOUT     seconds a client has to send its request line and headers, 1-300
    HTTP_BODY_TIMEOUT       seconds a client has to send a request's body after its headers, 1-600
                            (default 10); slower clients get 408 and are disconnected
    HTTP_KEEP_ALIVE_TIMEOUT seconds an idle keep-alive connection is kept, 1-3600 (default 65:
                            longer than the ALB's 60 s idle timeout, as AWS advises, so the
                            service never closes a connection the ALB is about to reuse)
    APP_DEBUG_SLOW_ENDPOINT 1 adds GET /api/debug/slow (for shutdown tests); never on by default
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sample_service import __version__
from sample_service.types import Environ

DEFAULT_SQLITE_FILE = "sample_service.db"
LOG_LEVELS = ("debug", "info", "warning", "error", "critical")
POSTGRES_SCHEMES = {"postgres", "postgresql", "postgresql+asyncpg"}
_APP_ENV = re.compile(r"[a-z][a-z0-9_-]{0,31}")
_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}")
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


class ConfigError(Exception):
    """A variable is missing or malformed; the message names it and says what to do."""

    def __init__(self, variable: str, message: str) -> None:
        super().__init__(f"{variable}: {message}")
        self.variable = variable


@dataclass(frozen=True)
class DatabaseConfig:
    """Where the articles live. `dsn` never contains the password; `password` carries it."""

    kind: Literal["postgres", "sqlite"]
    dsn: str
    password: str | None = None
    sqlite_path: Path | None = None

    def redacted(self) -> str:
        """The URL as it may appear in logs (no password, ever)."""
        return self.dsn if self.password is None else _with_password(self.dsn, "***")


@dataclass(frozen=True)
class Settings:
    """Everything the service reads from its environment, parsed and checked."""

    database: DatabaseConfig
    app_env: str = "dev"
    app_version: str = __version__
    cors_allowed_origins: tuple[str, ...] = ()
    log_level: str = "info"
    host: str = "0.0.0.0"
    port: int = 8000
    db_pool_size: int = 10
    db_startup_timeout: float = 30.0
    http_header_timeout: float = 10.0
    http_body_timeout: float = 30.0
    http_keep_alive_timeout: int = 65
    debug_slow_endpoint: bool = False

    @property
    def secrets(self) -> tuple[str, ...]:
        """Strings that must never reach a log line."""
        return (self.database.password,) if self.database.password else ()


def load_settings(environ: Environ) -> Settings:
    """Parse and check the environment; raise ConfigError naming the first bad variable."""
    app_env = _app_env(environ)
    return Settings(
        database=_database(environ, app_env),
        app_env=app_env,
        app_version=_version(environ),
        cors_allowed_origins=_cors_origins(environ.get("CORS_ALLOWED_ORIGINS", "")),
        log_level=_log_level(environ.get("LOG_LEVEL", "info")),
        host=_host(environ.get("HOST", "0.0.0.0")),
        port=_int(environ, "PORT", 8000, 1, 65535),
        db_pool_size=_int(environ, "DB_POOL_SIZE", 10, 1, 100),
        db_startup_timeout=float(_int(environ, "DB_STARTUP_TIMEOUT", 30, 0, 600)),
        http_header_timeout=float(_int(environ, "HTTP_HEADER_TIMEOUT", 10, 1, 300)),
        http_body_timeout=float(_int(environ, "HTTP_BODY_TIMEOUT", 30, 1, 600)),
        http_keep_alive_timeout=_int(environ, "HTTP_KEEP_ALIVE_TIMEOUT", 65, 1, 3600),
        debug_slow_endpoint=_flag(environ, "APP_DEBUG_SLOW_ENDPOINT"),
    )


def _app_env(environ: Environ) -> str:
    value = environ.get("APP_ENV", "").strip() or "dev"
    if not _APP_ENV.fullmatch(value):
        raise ConfigError("APP_ENV", f"{value!r} is not a name like dev, staging or prod")
    return value


def _version(environ: Environ) -> str:
    value = environ.get("APP_VERSION", "").strip() or __version__
    if not _VERSION.fullmatch(value):
        raise ConfigError(
            "APP_VERSION",
            f"{value!r} must be 1-64 of letters, digits and . _ + - (a tag or git sha)",
        )
    return value


def _database(environ: Environ, app_env: str) -> DatabaseConfig:
    primary = environ.get("DATABASE_URL", "").strip()
    alias = environ.get("DB_URL", "").strip()
    if primary and alias and primary != alias:
        raise ConfigError(
            "DATABASE_URL", "DATABASE_URL and DB_URL are both set and differ; set one"
        )
    url, variable = (primary, "DATABASE_URL") if primary else (alias, "DB_URL")
    password = environ.get("DB_PASSWORD") or None
    if not url:
        if app_env != "dev":
            raise ConfigError(
                "DATABASE_URL",
                f"is not set and APP_ENV={app_env}; outside dev the service refuses the embedded "
                "SQLite file (it would lose every article at the next restart). Set DATABASE_URL "
                "(or DB_URL) to postgresql://USER@HOST:5432/DB",
            )
        url = f"sqlite:///{DEFAULT_SQLITE_FILE}"
    return parse_database_url(url, variable, password)


def parse_database_url(
    url: str, variable: str = "DATABASE_URL", password: str | None = None
) -> DatabaseConfig:
    """Parse a postgresql:// or sqlite:/// URL; `password` (DB_PASSWORD) wins over the URL's."""
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ConfigError(variable, f"is not a valid URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        return _sqlite(parts, variable)
    if scheme not in POSTGRES_SCHEMES:
        raise ConfigError(
            variable, f"scheme {parts.scheme!r} is not supported; use postgresql:// or sqlite:///"
        )
    if not parts.hostname:
        raise ConfigError(variable, "has no host; expected postgresql://USER@HOST:5432/DB")
    if port == 0:
        raise ConfigError(variable, "port 0 is not a valid port")
    if not parts.path.strip("/"):
        raise ConfigError(variable, "has no database name; expected postgresql://USER@HOST:5432/DB")
    url_password = urllib.parse.unquote(parts.password) if parts.password is not None else None
    dsn = _with_password(urllib.parse.urlunsplit(parts._replace(scheme="postgresql")), None)
    return DatabaseConfig(kind="postgres", dsn=dsn, password=password or url_password or None)


def _sqlite(parts: urllib.parse.SplitResult, variable: str) -> DatabaseConfig:
    if parts.netloc:
        raise ConfigError(
            variable, "a SQLite URL has three slashes: sqlite:///relative.db or sqlite:////abs.db"
        )
    raw = urllib.parse.unquote(parts.path)
    path = raw[1:] if raw.startswith("/") else raw
    if not path or path == ":memory:" or path.endswith("/"):
        raise ConfigError(variable, "needs a file path, e.g. sqlite:///sample_service.db")
    return DatabaseConfig(kind="sqlite", dsn=f"sqlite:///{path}", sqlite_path=Path(path))


def _with_password(dsn: str, password: str | None) -> str:
    parts = urllib.parse.urlsplit(dsn)
    host = parts.hostname or ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    user = urllib.parse.quote(urllib.parse.unquote(parts.username or ""), safe="")
    if password is not None:
        user = f"{user}:{password}"
    netloc = f"{user}@{host}" if user else host
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def _cors_origins(raw: str) -> tuple[str, ...]:
    origins: list[str] = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        if "*" in item:
            raise ConfigError(
                "CORS_ALLOWED_ORIGINS",
                "a wildcard is not allowed; list each origin, e.g. https://app.example.com",
            )
        parts = urllib.parse.urlsplit(item)
        try:
            parts.port  # noqa: B018 - raises on a bad port
        except ValueError:
            raise ConfigError("CORS_ALLOWED_ORIGINS", f"{item!r} has a bad port") from None
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or parts.path
            or (parts.query or parts.fragment or parts.username)
        ):
            raise ConfigError(
                "CORS_ALLOWED_ORIGINS",
                f"{item!r} is not an origin; expected scheme://host[:port] with no path, "
                "e.g. https://app.example.com",
            )
        origin = f"{parts.scheme}://{parts.netloc.lower()}"
        if origin not in origins:
            origins.append(origin)
    return tuple(origins)


def _log_level(raw: str) -> str:
    value = raw.strip().lower() or "info"
    if value not in LOG_LEVELS:
        raise ConfigError("LOG_LEVEL", f"{raw!r} is not one of {', '.join(LOG_LEVELS)}")
    return value


def _host(raw: str) -> str:
    value = raw.strip() or "0.0.0.0"
    if any(c.isspace() for c in value) or "/" in value:
        raise ConfigError("HOST", f"{raw!r} is not an address to listen on (e.g. 0.0.0.0)")
    return value


def _int(environ: Environ, name: str, default: int, low: int, high: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()):
        raise ConfigError(name, f"{raw!r} is not a whole number between {low} and {high}")
    value = int(raw)
    if not low <= value <= high:
        raise ConfigError(name, f"{value} is outside {low}-{high}")
    return value


def _flag(environ: Environ, name: str) -> bool:
    raw = environ.get(name, "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ConfigError(name, f"{raw!r} is not a flag; use 1 or 0")
