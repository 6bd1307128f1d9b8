"""Configuration: a table of environments and what they parse to, or which variable is at fault."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from sample_service import config as config_module
from sample_service.config import ConfigError, load_settings

PG = "postgresql://app:pw@db.internal:5432/articles"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, {"database.kind": "sqlite", "app_env": "dev", "port": 8000, "host": "0.0.0.0"}),
        ({}, {"http_header_timeout": 10.0, "http_keep_alive_timeout": 65}),
        (
            {"HTTP_HEADER_TIMEOUT": "2", "HTTP_KEEP_ALIVE_TIMEOUT": "120"},
            {"http_header_timeout": 2.0, "http_keep_alive_timeout": 120},
        ),
        ({"DATABASE_URL": PG}, {"database.kind": "postgres", "database.password": "pw"}),
        ({"DB_URL": PG}, {"database.kind": "postgres"}),
        ({"DATABASE_URL": PG, "DB_URL": PG}, {"database.kind": "postgres"}),
        (
            {"DATABASE_URL": PG, "DB_PASSWORD": "from-secret"},
            {
                "database.password": "from-secret",
                "database.dsn": "postgresql://app@db.internal:5432/articles",
            },
        ),
        (
            {"DATABASE_URL": "postgres://u:p%40ss@h/d?sslmode=require"},
            {"database.password": "p@ss", "database.dsn": "postgresql://u@h/d?sslmode=require"},
        ),
        ({"DATABASE_URL": "postgresql+asyncpg://u@h/d"}, {"database.dsn": "postgresql://u@h/d"}),
        ({"DATABASE_URL": "sqlite:///data/a.db"}, {"database.sqlite_path": Path("data/a.db")}),
        ({"DATABASE_URL": "sqlite:////abs/a.db"}, {"database.sqlite_path": Path("/abs/a.db")}),
        ({"DATABASE_URL": PG, "APP_ENV": "prod"}, {"app_env": "prod"}),
        ({"DATABASE_URL": "", "APP_ENV": "dev"}, {"database.kind": "sqlite"}),
        ({"PORT": "9000", "HOST": "127.0.0.1"}, {"port": 9000, "host": "127.0.0.1"}),
        ({"LOG_LEVEL": "DEBUG"}, {"log_level": "debug"}),
        ({"APP_VERSION": "1.2.3+abc"}, {"app_version": "1.2.3+abc"}),
        (
            {
                "CORS_ALLOWED_ORIGINS": "https://a.example.com, http://localhost:3000,https://a.example.com"
            },
            {"cors_allowed_origins": ("https://a.example.com", "http://localhost:3000")},
        ),
        ({"CORS_ALLOWED_ORIGINS": " , "}, {"cors_allowed_origins": ()}),
        ({"APP_DEBUG_SLOW_ENDPOINT": "1"}, {"debug_slow_endpoint": True}),
        (
            {"DB_POOL_SIZE": "3", "DB_STARTUP_TIMEOUT": "0"},
            {"db_pool_size": 3, "db_startup_timeout": 0},
        ),
    ],
)
def test_valid_environments_parse(environ: dict[str, str], expected: dict[str, Any]) -> None:
    settings = load_settings(environ)
    for dotted, value in expected.items():
        obj: Any = settings
        for part in dotted.split("."):
            obj = getattr(obj, part)
        assert obj == value, dotted


@pytest.mark.parametrize(
    ("environ", "variable", "words"),
    [
        ({"APP_ENV": "prod"}, "DATABASE_URL", "DATABASE_URL"),
        ({"APP_ENV": "staging", "DB_URL": ""}, "DATABASE_URL", "APP_ENV=staging"),
        ({"DATABASE_URL": PG, "DB_URL": "postgresql://x@y/z"}, "DATABASE_URL", "differ"),
        ({"DATABASE_URL": "mysql://u@h/d"}, "DATABASE_URL", "postgresql://"),
        ({"DB_URL": "mysql://u@h/d"}, "DB_URL", "scheme"),
        ({"DATABASE_URL": "postgresql:///d"}, "DATABASE_URL", "host"),
        ({"DATABASE_URL": "postgresql://u@h"}, "DATABASE_URL", "database name"),
        ({"DATABASE_URL": "postgresql://u@h:99999/d"}, "DATABASE_URL", "URL"),
        ({"DATABASE_URL": "sqlite://relative.db"}, "DATABASE_URL", "three slashes"),
        ({"DATABASE_URL": "sqlite:///:memory:"}, "DATABASE_URL", "file path"),
        ({"PORT": "http"}, "PORT", "whole number"),
        ({"PORT": "0"}, "PORT", "outside"),
        ({"PORT": "65536"}, "PORT", "outside"),
        ({"PORT": "-1"}, "PORT", "whole number"),
        ({"LOG_LEVEL": "verbose"}, "LOG_LEVEL", "debug, info"),
        ({"CORS_ALLOWED_ORIGINS": "*"}, "CORS_ALLOWED_ORIGINS", "wildcard"),
        ({"CORS_ALLOWED_ORIGINS": "https://*.example.com"}, "CORS_ALLOWED_ORIGINS", "wildcard"),
        ({"CORS_ALLOWED_ORIGINS": "example.com"}, "CORS_ALLOWED_ORIGINS", "scheme://host"),
        ({"CORS_ALLOWED_ORIGINS": "https://a.com/app"}, "CORS_ALLOWED_ORIGINS", "no path"),
        ({"CORS_ALLOWED_ORIGINS": "https://a.com:x"}, "CORS_ALLOWED_ORIGINS", "port"),
        ({"APP_ENV": "Prod!"}, "APP_ENV", "dev, staging or prod"),
        ({"APP_VERSION": "1.0 beta"}, "APP_VERSION", "letters"),
        ({"HOST": "0.0.0.0 8000"}, "HOST", "address"),
        ({"DB_POOL_SIZE": "0"}, "DB_POOL_SIZE", "outside"),
        ({"DB_STARTUP_TIMEOUT": "1.5"}, "DB_STARTUP_TIMEOUT", "whole number"),
        ({"APP_DEBUG_SLOW_ENDPOINT": "maybe"}, "APP_DEBUG_SLOW_ENDPOINT", "flag"),
        ({"HTTP_HEADER_TIMEOUT": "0"}, "HTTP_HEADER_TIMEOUT", "outside 1-300"),
        ({"HTTP_HEADER_TIMEOUT": "forever"}, "HTTP_HEADER_TIMEOUT", "whole number"),
        ({"HTTP_KEEP_ALIVE_TIMEOUT": "3601"}, "HTTP_KEEP_ALIVE_TIMEOUT", "outside 1-3600"),
    ],
)
def test_bad_environments_name_the_variable(
    environ: dict[str, str], variable: str, words: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ)
    assert caught.value.variable == variable
    assert str(caught.value).startswith(f"{variable}: ")
    assert words in str(caught.value)


def test_redacted_url_never_shows_the_password() -> None:
    settings = load_settings({"DATABASE_URL": PG, "DB_PASSWORD": "s3cr3t-value"})
    assert "s3cr3t-value" not in settings.database.redacted()
    assert "pw" not in settings.database.redacted().split("@")[0].split("//")[1]
    assert settings.database.redacted() == "postgresql://app:***@db.internal:5432/articles"
    assert settings.secrets == ("s3cr3t-value",)


def test_the_environ_is_read_only_from_the_mapping_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "not-a-port")
    assert load_settings({}).port == 8000


def _env_example() -> dict[str, str]:
    path = Path(__file__).resolve().parents[2] / ".env.example"
    values: dict[str, str] = {}
    for line in path.read_text().splitlines():
        match = re.match(r"#?\s*([A-Z][A-Z0-9_]*)=(\S*)", line)
        if match:
            values[match[1]] = match[2]
    return values


def test_env_example_documents_every_variable_and_parses() -> None:
    source = (Path(config_module.__file__)).read_text()
    read = set(re.findall(r'environ(?:\.get\(|, )"([A-Z_]+)"', source))
    assert read >= {"DATABASE_URL", "DB_URL", "DB_PASSWORD", "PORT", "APP_ENV"}
    documented = _env_example()
    assert read <= set(documented), read - set(documented)
    # Everything set in the example is a valid value, except the placeholder alias.
    load_settings({k: v for k, v in documented.items() if k != "DB_URL"})
