"""Redaction: secret-looking names, passwords in URLs, secret query parameters; ARNs stay."""

from __future__ import annotations

from typing import Any

import pytest

from shipit.redact import REDACTED, is_secret_name, redact_env, redact_settings, redact_text


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("DB_PASSWORD", True),
        ("DBPASSWORD", True),
        ("password", True),
        ("API_KEY", True),
        ("apiKey", True),
        ("STRIPE_SECRET_KEY", True),
        ("JWT_SECRET", True),
        ("GITHUB_TOKEN", True),
        ("AWS_SECRET_ACCESS_KEY", True),
        ("AWS_ACCESS_KEY_ID", True),
        ("SESSION_COOKIE", True),
        ("PRIVATE_KEY_PEM", True),
        ("SENTRY_DSN", True),
        ("LOG_LEVEL", False),
        ("PORT", False),
        ("DATABASE_URL", False),
        ("MONKEY_COUNT", False),
        ("KEYBOARD", False),
        ("APP_ENV", False),
        ("health_path", False),
    ],
)
def test_is_secret_name(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("postgresql://app:s3cr3t@db:5432/app", "postgresql://app:***@db:5432/app"),
        ("redis://:pw@cache:6379/0", "redis://:***@cache:6379/0"),
        ("postgresql://app@db:5432/app", "postgresql://app@db:5432/app"),
        ("https://x.example/cb?token=abc&page=2", "https://x.example/cb?token=***&page=2"),
        ("https://x.example/cb?page=2&apiKey=k", "https://x.example/cb?page=2&apiKey=***"),
        ("https://x.example/cb?page=2", "https://x.example/cb?page=2"),
        ("a=b&token=c", "a=b&token=c"),
        ("plain text", "plain text"),
        ("amqp://u:p@h1/v, amqp://u:q@h2/v", "amqp://u:***@h1/v, amqp://u:***@h2/v"),
    ],
)
def test_redact_text(text: str, shown: str) -> None:
    assert redact_text(text) == shown


def test_redact_env_by_name_and_by_url() -> None:
    assert redact_env(
        {"DB_PASSWORD": "hunter2", "EMPTY_TOKEN": "", "URL": "mysql://u:p@h/d", "PORT": "8000"}
    ) == {"DB_PASSWORD": REDACTED, "EMPTY_TOKEN": "", "URL": "mysql://u:***@h/d", "PORT": "8000"}


def test_redact_settings_keeps_secret_arns_and_hides_everything_else() -> None:
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-password"
    data: dict[str, dict[str, Any]] = {
        "aws": {"endpoint_url": "http://user:pw@127.0.0.1:5000", "region": "us-east-1"},
        "image": {"build_args": {"NPM_TOKEN": "t", "PY": "3.11"}},
        "vars": {"API_TOKEN": "t0k3n", "APP_ENV": "prod"},
        "secrets": {"DB_PASSWORD": arn},
    }
    assert redact_settings(data) == {
        "aws": {"endpoint_url": "http://user:***@127.0.0.1:5000", "region": "us-east-1"},
        "image": {"build_args": {"NPM_TOKEN": REDACTED, "PY": "3.11"}},
        "vars": {"API_TOKEN": REDACTED, "APP_ENV": "prod"},
        "secrets": {"DB_PASSWORD": arn},
    }
    assert data["vars"]["API_TOKEN"] == "t0k3n"  # the input is not modified
