"""The deploy library's request from shipit.toml (DeployRequest.from_settings, under the entry
``shipit.deploy.run.run`` that `shipit deploy`, `shipit rollback` and the demo all call): a table
of settings and options -> request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shipit.config import Settings
from shipit.deploy.run import DeployOptions, DeployRequest
from shipit.deploy.settings import default_interval, require_service
from shipit.errors import UsageError
from shipit.image.receipt import RECEIPT_PATH

SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
SERVICE = {"cluster": "c", "service": "s", "container": "app"}


def settings(**sections: Any) -> Settings:
    return Settings.model_validate({"ecs": SERVICE, **sections})


def test_the_request_carries_the_service_vars_secrets_repository_and_receipt() -> None:
    request = DeployRequest.from_settings(
        settings(vars={"A": "1"}, secrets={"DB": SECRET}, image={"repository": "articles"}),
        DeployOptions(Path("/p"), tag="v1", dry_run=True, timeout=60.0))
    assert (request.cluster, request.service, request.container) == ("c", "s", "app")
    assert (dict(request.variables), dict(request.secrets)) == ({"A": "1"}, {"DB": SECRET})
    assert (request.repository, request.receipt_path) == ("articles", Path("/p") / RECEIPT_PATH)
    assert (request.tag, request.image, request.dry_run, request.timeout) == (
        "v1", None, True, 60.0)


@pytest.mark.parametrize(("endpoint", "given", "interval"), [
    (None, None, 5.0),
    ("https://ecs.us-east-1.amazonaws.com", None, 5.0),
    ("http://127.0.0.1:4566", None, 0.25),
    ("http://localhost:4566", None, 0.25),
    ("http://[::1]:4566", None, 0.25),
    ("http://my127.0.0.1.example.com:4566", None, 5.0),  # a substring test said loopback
    ("http://127.0.0.1:4566", 2.0, 2.0),
])
def test_the_poll_interval_follows_the_endpoint(endpoint: str | None, given: float | None,
                                                interval: float) -> None:
    configured = settings(aws={"endpoint_url": endpoint} if endpoint else {})
    options = DeployOptions(Path("."), interval=given)
    assert DeployRequest.from_settings(configured, options).interval == interval
    if given is None:
        assert default_interval(configured) == interval


@pytest.mark.parametrize(("ecs", "env", "message"), [
    ({}, None, r"ecs\.cluster, ecs\.service, ecs\.container not set for the base of shipit"),
    ({"cluster": "c"}, "prod", r"ecs\.service, ecs\.container not set for \[env\.prod\]"),
    ({"cluster": "c", "service": "s"}, "dev", r"ecs\.container not set for \[env\.dev\]"),
])
def test_a_missing_service_key_is_named(ecs: dict[str, str], env: str | None,
                                        message: str) -> None:
    configured = Settings.model_validate({"ecs": ecs})
    with pytest.raises(UsageError, match=message):
        require_service(configured, env)
    with pytest.raises(UsageError, match=message):
        DeployRequest.from_settings(configured, DeployOptions(Path("."), env=env))
