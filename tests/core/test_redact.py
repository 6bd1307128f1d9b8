"""Redaction: secret-looking names, passwords in URLs, secret query parameters; ARNs stay."""

from __future__ import annotations

from typing import Any

import pytest

from shipit.redact import (
    CHANGED,
    REDACTED,
    Redactor,
    is_secret_name,
    redact_data,
    redact_env,
    redact_settings,
    redact_text,
    redact_url,
    secret_values,
    show_change,
)


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
        ("DB_PW", True),
        ("PGPASS", True),
        ("PGPASSWORD", True),
        ("GITHUB_PAT", True),
        ("SLACK_WEBHOOK", True),
        ("SLACKWEBHOOKURL", True),
        ("BASIC_AUTH", True),
        ("GOOGLE_CREDENTIALS", True),
        ("X-Amz-Signature", True),
        ("sig", True),
        ("PATH", False),
        ("PATTERN", False),
        ("COMPASS", False),
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
        ("a=b&token=c", "a=b&token=***"),
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


# (id, text, planted secret that must not survive, what stays visible)
SHAPES = [
    ("url-password-slash", "postgresql://app:pa/ss@db:5432/app", "pa/ss", "@db:5432/app"),
    ("url-password-at", "postgresql://app:p@ss@db:5432/app", "p@ss", "app:***@db:5432"),
    ("url-password-space", "postgresql://app:pa ss@db/app", "pa ss", "app:***@db/app"),
    ("url-password-all-three", "mysql://u:a/b@c d@db.internal:3306/x", "a/b@c d", "u:***@db"),
    ("url-password-encoded", "redis://:p%40ss%2Fw@cache:6379/0", "p%40ss%2Fw", ":***@cache"),
    ("url-query-sig", "https://acct.blob.example/c?sv=2022&sig=AbC123xyz", "AbC123xyz", "sv=2022"),
    ("url-query-token", "https://x.example/cb?token=t0k3nvalue", "t0k3nvalue", "x.example/cb"),
    ("url-query-amz", "https://b.s3.amazonaws.com/k?X-Amz-Signature=deadbeef99&X-Amz-Expires=60",
     "deadbeef99", "X-Amz-Expires=60"),
    ("url-query-amz-token", "https://b.s3.amazonaws.com/k?X-Amz-Security-Token=FwoGZXIvYXdz",
     "FwoGZXIvYXdz", "b.s3.amazonaws.com"),
    ("aws-access-key", "key AKIAIOSFODNN7EXAMPLE used", "AKIAIOSFODNN7EXAMPLE", "used"),
    ("aws-session-key", "ASIAZZZZZZZZZZZZZZZZ", "ASIAZZZZZZZZZZZZZZZZ", ""),
    ("stripe-live", "charge with sk_live_51HqLyjWDarjtT1zdp7dc", "sk_live_51HqLyjWDarjtT1zdp7dc",
     "charge with"),
    ("stripe-test", "sk_test_4eC39HqLyjWDarjtT1zdp7dc", "sk_test_4eC39HqLyjWDarjtT1zdp7dc", ""),
    ("github-classic", "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
     "ghp_16C7e42F292c6912E7710c838347Ae178B4a", ""),
    ("github-fine", "github_pat_11ABCDEFG0123456789_abcdefghijklmnop",
     "github_pat_11ABCDEFG0123456789_abcdefghijklmnop", ""),
    ("slack-bot", "xoxb-123456789012-abcdefABCDEF", "xoxb-123456789012-abcdefABCDEF", ""),
    ("slack-user", "xoxp-123456789012-abcdefABCDEF", "xoxp-123456789012-abcdefABCDEF", ""),
    ("slack-webhook", "https://hooks.slack.com/services/T000/B000/XXXXXXXX", "XXXXXXXX",
     "hooks.slack.com"),
    ("jwt", "Authorization token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl",
     "eyJzdWIiOiIxMjM0In0", "Authorization token"),
    ("bearer", "Authorization: Bearer abcdefghijklmnop0123456789", "abcdefghijklmnop0123456789",
     "Authorization"),
    ("ecr-basic-auth", "auth QVdTOmV5SndZWGxzYjJGa0lqb2lZV0pqWkdWbUluMD0=",
     "QVdTOmV5SndZWGxzYjJGa0lqb2lZV0pqWkdWbUluMD0=", "auth"),
    ("ecr-password", "eyJwYXlsb2FkIjoiYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoiLCJkYXRha2V5IjoieCJ9",
     "eyJwYXlsb2FkIjoiYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoiLCJkYXRha2V5IjoieCJ9", ""),
    ("assignment", "starting with DB_PW=hunter22 LOG_LEVEL=info", "hunter22", "LOG_LEVEL=info"),
    ("pem", "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
     "MIIEpAIBAAKCAQEA", ""),
]


@pytest.mark.parametrize(("text", "planted", "kept"), [s[1:] for s in SHAPES],
                         ids=[s[0] for s in SHAPES])
def test_every_secret_shape_is_hidden_in_a_whole_value(text: str, planted: str, kept: str) -> None:
    shown = Redactor().data({"v": text})["v"]
    assert planted not in shown
    assert REDACTED in shown
    assert kept in shown


@pytest.mark.parametrize(
    "text",
    ["ecs.clutser: unknown key 'clutser'", "https://x.example/cb?email=a@b.com",
     "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-password",
     "postgresql://app@db:5432/app", "--password-stdin", "sha256:" + "a" * 64,
     "123456789012.dkr.ecr.us-east-1.amazonaws.com/articles:1a2b3c4"],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact_text(redact_url(text)) == text


def test_a_password_with_slash_at_and_space_is_hidden_whole() -> None:
    url = "postgresql://articles:p/a@ss w@rd@db.internal:5432/articles?sslmode=require"
    assert redact_url(url) == "postgresql://articles:***@db.internal:5432/articles?sslmode=require"
    assert secret_values({"vars": {"DATABASE_URL": url}}) == {"p/a@ss w@rd"}


def test_the_redactor_hides_known_values_in_free_text() -> None:
    redactor = Redactor()
    redactor.learn_settings({"vars": {"DATABASE_URL": "postgresql://a:p/a@ss w@rd@db/x",
                                      "DB_PW": "hunter2hunter2", "PORT": "8000"}})
    text = "connect failed for p/a@ss w@rd (DB_PW hunter2hunter2) on port 8000"
    assert redactor.text(text) == "connect failed for *** (DB_PW ***) on port 8000"
    assert redactor.data({"message": text})["message"] == redactor.text(text)


def test_very_short_known_values_are_not_scrubbed_from_text() -> None:
    redactor = Redactor(["abc"])
    assert redactor.text("abcdef") == "abcdef"


def test_ecs_environment_entries_are_redacted_by_their_name() -> None:
    env = [{"name": "STRIPE_API_KEY", "value": "anything"}, {"name": "PORT", "value": "8000"}]
    assert redact_data({"environment": env}) == {"environment": [
        {"name": "STRIPE_API_KEY", "value": REDACTED}, {"name": "PORT", "value": "8000"}]}


def test_document_fields_named_key_and_counts_are_not_secrets() -> None:
    doc = {"key": "ecs.cluster", "summary": {"pass": 19}, "API_KEY": "x"}
    assert redact_data(doc) == {"key": "ecs.cluster", "summary": {"pass": 19}, "API_KEY": REDACTED}


@pytest.mark.parametrize(
    ("name", "old", "new", "shown"),
    [
        ("STRIPE_API_KEY", "sk_live_aaaaaaaa", "sk_live_bbbbbbbb", CHANGED),
        ("DB_PW", "one", "two", CHANGED),
        ("DATABASE_URL", "postgresql://u:a@db1/x", "postgresql://u:b@db2/x",
         ("postgresql://u:***@db1/x", "postgresql://u:***@db2/x")),
        ("DATABASE_URL", "postgresql://u:a@db/x", "postgresql://u:b@db/x", CHANGED),
        ("LOG_LEVEL", "info", "debug", ("info", "debug")),
    ],
)
def test_show_change(name: str, old: str, new: str, shown: object) -> None:
    assert show_change(name, old, new) == shown


# The shapes of issue 17: each (text, what must be hidden, what must stay).
ISSUE_17 = [
    ("toml-double", 'DB_PW = "hunter2"', "hunter2", 'DB_PW = "***"'),
    ("toml-single", "PGPASSWORD = 'pg-pw-1'", "pg-pw-1", "PGPASSWORD = '***'"),
    ("toml-escaped-quote", r'DB_PW = "a\"b c"', r'a\"b c', 'DB_PW = "***"'),
    ("env", "export DB_PASSWORD=hunter22 LOG_LEVEL=info", "hunter22", "LOG_LEVEL=info"),
    ("url-slash-space-percent", "dsn postgresql://u:s3@cr/t p%x@host/db ok", "s3@cr/t p%x",
     "postgresql://u:***@host/db ok"),
    ("url-in-toml", 'DATABASE_URL = "postgresql://u:s3@cr/t p%x@db:5432/a"', "cr/t p%x",
     'DATABASE_URL = "postgresql://u:***@db:5432/a"'),
    ("url-in-json", '{"url": "https://u:a@b@h.example/x", "n": "x@y.example"}', "a@b",
     '"https://u:***@h.example/x", "n": "x@y.example"'),
    ("user-name-key", "https://0123456789abcdef0123456789abcdef@o1.sentry.example/1",
     "0123456789abcdef0123456789abcdef", "https://***@o1.sentry.example/1"),
    ("query-token-quoted", 'CB = "https://cb.example/h?page=2&token=t0k3n"', "t0k3n",
     'CB = "https://cb.example/h?page=2&token=***"'),
    ("query-then-fragment", "https://x.example/?sig=abc123#top", "abc123", "sig=***#top"),
]


@pytest.mark.parametrize(("text", "planted", "shown"), [s[1:] for s in ISSUE_17],
                         ids=[s[0] for s in ISSUE_17])
def test_issue_17_shapes_hidden_delimiters_kept(text: str, planted: str, shown: str) -> None:
    redacted = redact_text(text)
    assert planted not in redacted
    assert shown in redacted


@pytest.mark.parametrize(
    "text",
    ["secretsmanager=https://127.0.0.1:4566", "PIP_CERT=/run/secrets/ca",
     'secretsmanager_endpoint = "http://127.0.0.1:4566"', "ssh://git@github.com/x/y",
     "KEYBOARD=us", "DB_PASSWORD = \"arn:aws:secretsmanager:us-east-1:1:secret:db\"",
     "https://short-user@host.example/x"],
)
def test_words_that_merely_contain_secret_are_left_alone(text: str) -> None:
    assert redact_text(text) == text


def test_redacted_toml_is_still_toml() -> None:
    import tomllib

    text = ('[vars]\nCB = "https://cb.example/h?token=abc&x=1"\nDB_PW = "p w"\n'
            "PG = 'literal'\nPGPASSWORD = 'lit pw'\nURL = \"postgresql://u:p@ss/w@db/x\"\n")
    parsed = tomllib.loads(redact_text(text))["vars"]
    assert parsed == {"CB": "https://cb.example/h?token=***&x=1", "DB_PW": "***",
                      "PG": "literal", "PGPASSWORD": "***", "URL": "postgresql://u:***@db/x"}


def test_secret_values_include_key_users_and_query_tokens() -> None:
    found = secret_values({"vars": {
        "SENTRY": "https://0123456789abcdef0123456789abcdef@o1.sentry.example/1",
        "CB": "https://cb.example/h?page=2&token=t0k3nvalue"}})
    assert found == {"0123456789abcdef0123456789abcdef", "t0k3nvalue"}


def test_a_json_document_stays_json_when_its_text_is_redacted() -> None:
    """--json output passes the stream's free-text redaction too: TOML inside a JSON string is
    quoted as \\"...\\"; its secrets are hidden and nothing escaped is eaten."""
    import json

    diff = ('+ DB_PW = "hunter2 x"\n+ CB = "https://cb.example/h?token=t0k3n&x=1"\n'
            '+ PGPASSWORD = "***"\n+ PLAIN = "a=b"\n')
    text = json.dumps({"diff": diff, "url": "postgresql://u:p w@db/x"}, indent=2)
    shown = redact_text(text)
    parsed = json.loads(shown)
    assert "hunter2" not in shown
    assert "t0k3n" not in shown
    assert parsed["diff"] == ('+ DB_PW = "***"\n+ CB = "https://cb.example/h?token=***&x=1"\n'
                              '+ PGPASSWORD = "***"\n+ PLAIN = "a=b"\n')
    assert parsed["url"] == "postgresql://u:***@db/x"
    assert redact_text(json.dumps({"d": redact_data({"d": diff})["d"]})) == json.dumps(
        {"d": redact_data({"d": diff})["d"]})
