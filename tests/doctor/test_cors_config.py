"""http.cors_config: the deployed task's origins variable against shipit.toml's origins, and
live evidence over inference: when the preflights show the service allows exactly the
configured origins, a differing variable is drift (warn), never a failure."""

from __future__ import annotations

import pytest

from shipit.doctor.checks.cors_config import cors_config
from shipit.doctor.facts import Fact
from shipit.doctor.probe import ProbeRequest, ProbeResponse
from tests.doctor.snapshots import container, healthy, task_definition

CONFIGURED = ("https://app.example.com", "http://app.example.com")


def silent(request: ProbeRequest) -> ProbeResponse:
    """Stands in for HTTP when nothing answers (no live evidence)."""
    return ProbeResponse(None, error="ConnectError: refused", via=request.url)


def allowing(request: ProbeRequest) -> ProbeResponse:
    """Stands in for HTTP: a service that allows exactly CONFIGURED, whatever its task says."""
    origin = dict(request.headers).get("Origin", "")
    if origin in CONFIGURED:
        return ProbeResponse(204, {"access-control-allow-origin": origin})
    return ProbeResponse(200, {})


def with_task_origins(value: str | None, configured: tuple[str, ...] = CONFIGURED, *,
                      variable: str = "CORS_ALLOWED_ORIGINS", probe: object = silent) -> str:
    env = (("PORT", "8000"),) + (((variable, value),) if value is not None else ())
    snapshot = healthy(
        cors_origins=configured, cors_variable=variable,
        task_definition=Fact.ok(task_definition(containers=(container(environment=env),))),
    )
    verdict = cors_config(snapshot, probe)  # type: ignore[arg-type]
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


@pytest.mark.parametrize(("deployed", "expected"), [
    (None, "warn: drift: the task (articles:3) sets no CORS_ALLOWED_ORIGINS"),
    ("https://app.example.com", "warn: drift: the task (articles:3) does not allow"
                                " http://app.example.com; the service allows them anyway"),
    ("https://app.example.com,http://app.example.com", "pass"),
])
def test_a_live_preflight_that_allows_them_makes_a_difference_drift(
    deployed: str | None, expected: str
) -> None:
    assert with_task_origins(deployed, probe=allowing).startswith(expected)


def test_the_variable_name_is_a_setting() -> None:
    assert with_task_origins("https://app.example.com,http://app.example.com",
                             variable="ALLOWED_ORIGINS").startswith("pass")
    assert with_task_origins(None, variable="").startswith(
        'skip: http.cors_variable = "": the service configures CORS itself')


def test_nothing_configured_is_a_skip() -> None:
    assert with_task_origins("https://x.example.com", configured=()).startswith("skip")


def test_every_failure_carries_the_fix() -> None:
    snapshot = healthy(cors_origins=CONFIGURED)
    verdict = cors_config(snapshot, silent)
    assert verdict.status == "fail"
    assert verdict.fix is not None
    assert "shipit deploy" in verdict.fix
