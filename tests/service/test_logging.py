"""Logs: one JSON object per line, an access line per request, never the database password."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from sample_service.logging import JsonFormatter, configure_logging, redact
from tests.fixtures.postgres import PostgresServer
from tests.service.service_process import ServiceProcess

SECRET = "Sup3r-Secret-Pw"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("postgresql://app:pw@db:5432/x", "postgresql://app:***@db:5432/x"),
        ("connect to postgres://u:p%40ss@h/d failed", "connect to postgres://u:***@h/d failed"),
        ("postgresql://app@db/x", "postgresql://app@db/x"),
        ("two: a://u:1@h b://v:2@k", "two: a://u:***@h b://v:***@k"),
        ("the password is hunter2", "the password is ***"),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text, ["hunter2"]) == expected


def test_formatter_writes_one_json_object_with_extras_and_redacts_everything() -> None:
    stream = io.StringIO()
    configure_logging("info", [SECRET], stream)
    try:
        log = logging.getLogger("sample_service.test")
        log.info("connecting to %s", f"postgresql://u:{SECRET}@h/d", extra={"attempt": 2})
        try:
            raise RuntimeError(f"boom {SECRET}")
        except RuntimeError:
            log.exception("failed", extra={"dsn": f"x {SECRET}"})
    finally:
        configure_logging("warning")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["msg"] == "connecting to postgresql://u:***@h/d"
    assert first["attempt"] == 2
    assert first["level"] == "info"
    assert {"ts", "logger"} <= set(first)
    assert "RuntimeError" in second["exc"]
    assert SECRET not in stream.getvalue()


def test_formatter_survives_unserializable_extras() -> None:
    record = logging.LogRecord("x", logging.INFO, "f", 1, "m", None, None)
    record.thing = object()
    assert json.loads(JsonFormatter().format(record))["msg"] == "m"


def test_access_lines_request_ids_and_no_password_in_a_real_process(
    make_service: Callable[..., ServiceProcess],
    postgres_server: PostgresServer,
    postgres_url: str,
    tmp_path: Path,
) -> None:
    # Trust auth ignores passwords, so the service really connects with this one.
    url_with_password = postgres_url.replace("postgres@", f"postgres:{SECRET}-url@", 1)
    service = make_service(url_with_password, DB_PASSWORD=SECRET, LOG_LEVEL="debug")
    service.start().wait_healthy()
    with httpx.Client(base_url=service.url) as http:
        given = http.get("/api/health", headers={"X-Request-ID": "trace-abc.123"})
        assert given.headers["x-request-id"] == "trace-abc.123"
        made = http.get("/api/articles/424242")
        assert len(made.headers["x-request-id"]) == 32
        hostile = http.get("/api/health", headers={"X-Request-ID": 'a"b\\c' + "x" * 300})
        assert hostile.headers["x-request-id"] != 'a"b\\c' + "x" * 300
        http.post("/api/articles", content=b"{", headers={"content-type": "application/json"})
    assert service.terminate() == 0

    output = service.output()
    assert SECRET not in output  # neither DB_PASSWORD nor the URL's password (it contains it)
    lines = service.log_lines()  # raises if any stdout line is not JSON
    access = [line for line in lines if line["logger"] == "sample_service.access"]
    by_id = {line["request_id"]: line for line in access}
    assert by_id["trace-abc.123"]["path"] == "/api/health"
    assert by_id["trace-abc.123"]["status"] == 200
    assert by_id[made.headers["x-request-id"]]["status"] == 404
    assert [line["status"] for line in access][-1] == 400
    for line in access:
        assert {"method", "path", "status", "latency_ms", "request_id"} <= set(line)
        assert isinstance(line["latency_ms"], float)
    assert any("***" in json.dumps(line) for line in lines)  # the redacted URL was logged
