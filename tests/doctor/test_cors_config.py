"""http.cors_config: the deployed task's CORS_ALLOWED_ORIGINS against shipit.toml's origins."""

from __future__ import annotations

import pytest

from shipit.doctor.checks.cors_config import cors_config
from shipit.doctor.facts import Fact
from tests.doctor.snapshots import container, healthy, task_definition

CONFIGURED = ("https://app.example.com", "http://app.example.com")


def with_task_origins(value: str | None, configured: tuple[str, ...] = CONFIGURED) -> str:
    env = (("PORT", "8000"),) + ((("CORS_ALLOWED_ORIGINS", value),) if value is not None else ())
    snapshot = healthy(
        cors_origins=configured,
        task_definition=Fact.ok(task_definition(containers=(container(environment=env),))),
    )
    verdict = cors_config(snapshot)
    return f"{verdict.status}: {verdict.summary}"


@pytest.mark.parametrize(("deployed", "expected"), [
    ("https://app.example.com,http://app.example.com", "pass: the task (articles:3) allows"),
    ("http://app.example.com, https://app.example.com", "pass"),  # order and spaces aside
    ("https://app.example.com", "fail: the deployed task (articles:3) does not allow"
                                " http://app.example.com"),
    ("https://app.example.com,http://app.example.com,https://old.example.com",
     "fail: the deployed task (articles:3) also allows https://old.example.com"),
    (None, "fail: the task (articles:3) sets no CORS_ALLOWED_ORIGINS"),
])
def test_deployed_origins_against_the_config(deployed: str | None, expected: str) -> None:
    assert with_task_origins(deployed).startswith(expected)


def test_nothing_configured_is_a_skip() -> None:
    assert with_task_origins("https://x.example.com", configured=()).startswith("skip")


def test_every_failure_carries_the_fix() -> None:
    snapshot = healthy(cors_origins=CONFIGURED)
    verdict = cors_config(snapshot)
    assert verdict.status == "fail"
    assert verdict.fix is not None
    assert "shipit deploy" in verdict.fix
