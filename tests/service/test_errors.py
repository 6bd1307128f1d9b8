"""Every 4xx/5xx has one shape: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

import json
import socket
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from sample_service.app import create_app
from tests.service.conftest import settings_for
from tests.service.service_process import ServiceProcess

MIB = 1024 * 1024


@pytest.fixture
def sqlite_client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for(f"sqlite:///{tmp_path / 'a.db'}"))) as client:
        yield client


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str)
    assert body["error"]["message"]
    assert isinstance(body["error"]["details"], dict)
    details: dict[str, Any] = body["error"]["details"]
    return details


def test_unknown_route_is_404(sqlite_client: TestClient) -> None:
    assert_error(sqlite_client.get("/nope"), 404, "not_found")
    assert_error(sqlite_client.post("/api/nope", json={}), 404, "not_found")


def test_wrong_method_is_405_with_allow(sqlite_client: TestClient) -> None:
    response = sqlite_client.put("/api/articles", json={})
    details = assert_error(response, 405, "method_not_allowed")
    assert {"GET", "POST"} <= set(response.headers["allow"].split(", "))
    assert details["allow"] == response.headers["allow"]
    assert_error(sqlite_client.patch("/api/articles/1", json={}), 405, "method_not_allowed")


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
def test_non_json_is_415(sqlite_client: TestClient, content_type: str | None) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = sqlite_client.post("/api/articles", content=b'{"title": "x"}', headers=headers)
    assert_error(response, 415, "unsupported_media_type")


def test_json_with_charset_or_suffix_is_accepted(sqlite_client: TestClient) -> None:
    for content_type in ("application/json; charset=utf-8", "application/vnd.api+json"):
        response = sqlite_client.post(
            "/api/articles", content=b'{"title": "x"}', headers={"content-type": content_type}
        )
        assert response.status_code == 201


@pytest.mark.parametrize(
    "raw", [b"", b"{", b"not json", b"\xff\xfe", b"[" * 5000, b'{"title":"\\ud800"}']
)
def test_malformed_json_is_400(sqlite_client: TestClient, raw: bytes) -> None:
    response = sqlite_client.post(
        "/api/articles", content=raw, headers={"content-type": "application/json"}
    )
    assert_error(response, 400, "invalid_json")


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, ["title"]),
        ([], ["body"]),
        ({"title": ""}, ["title"]),
        ({"title": "   "}, ["title"]),
        ({"title": "t" * 201}, ["title"]),
        ({"title": 5}, ["title"]),
        ({"title": "a\nb"}, ["title"]),
        ({"title": "ok", "body": "nul\x00"}, ["body"]),
        ({"title": "ok", "body": "x" * (100 * 1024 + 1)}, ["body"]),
        ({"title": "ok", "body": "é" * (50 * 1024 + 1)}, ["body"]),  # bytes, not characters
        ({"title": "ok", "tags": [f"t{i}" for i in range(21)]}, ["tags"]),
        (
            {"title": "ok", "tags": ["ok", "-bad", "a b", "x" * 33, 7]},
            ["tags.1", "tags.2", "tags.3", "tags.4"],
        ),
        ({"title": "ok", "tags": "aws"}, ["tags"]),
        ({"title": "ok", "extra": 1}, ["extra"]),
        ({"title": None, "body": 3}, ["title", "body"]),
    ],
)
def test_invalid_articles_are_422_field_by_field(
    sqlite_client: TestClient, payload: Any, fields: list[str]
) -> None:
    details = assert_error(
        sqlite_client.post("/api/articles", json=payload), 422, "validation_failed"
    )
    assert [f["field"] for f in details["fields"]] == fields
    assert all(f["message"] and f["type"] for f in details["fields"])


def test_declared_body_over_1_mib_is_413(sqlite_client: TestClient) -> None:
    response = sqlite_client.post(
        "/api/articles", content=b"x" * (MIB + 1), headers={"content-type": "application/json"}
    )
    assert assert_error(response, 413, "payload_too_large")["limit_bytes"] == MIB


def test_chunked_body_over_1_mib_is_413(sqlite_client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(20):
            yield b"x" * 64 * 1024

    response = sqlite_client.post(
        "/api/articles", content=chunks(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    assert_error(response, 413, "payload_too_large")


def _raw_request(port: int, head: bytes, send_body: Callable[[socket.socket], None]) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head)
        send_body(sock)
        data = b""
        while b"\r\n\r\n" not in data or not _complete(data):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        return data


def _complete(data: bytes) -> bool:
    head, _, body = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


def test_413_comes_before_the_body_is_read(
    make_service: Callable[..., ServiceProcess], tmp_path: Path
) -> None:
    """Over a real socket: a declared 1 GiB body is refused having sent none of it, and a chunked
    body is refused after a little over 1 MiB while the client still claims more is coming."""
    service = make_service(f"sqlite:///{tmp_path / 'a.db'}")
    service.start().wait_healthy()
    declared = (
        b"POST /api/articles HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1073741824\r\n\r\n"
    )
    reply = _raw_request(service.port, declared, lambda sock: None)
    assert reply.startswith(b"HTTP/1.1 413 ")
    assert json.loads(reply.partition(b"\r\n\r\n")[2])["error"]["code"] == "payload_too_large"

    chunked = (
        b"POST /api/articles HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )

    def send_some_chunks(sock: socket.socket) -> None:
        piece = b"x" * 65536
        for _ in range(17):  # 1.06 MiB, then silence: the rest of the "body" never comes
            sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))

    reply = _raw_request(service.port, chunked, send_some_chunks)
    assert reply.startswith(b"HTTP/1.1 413 ")
    assert json.loads(reply.partition(b"\r\n\r\n")[2])["error"]["code"] == "payload_too_large"
    assert service.terminate() == 0


def test_500_has_the_shape_and_a_request_id(sqlite_client: TestClient, tmp_path: Path) -> None:
    """A database fault the API cannot foresee (a trigger that aborts every insert)."""
    with sqlite3.connect(tmp_path / "a.db") as conn:
        conn.execute(
            "CREATE TRIGGER boom BEFORE INSERT ON articles "
            "BEGIN SELECT RAISE(ABORT, 'injected fault'); END"
        )
    response = sqlite_client.post(
        "/api/articles", json={"title": "x"}, headers={"x-request-id": "req-500"}
    )
    details = assert_error(response, 500, "internal_error")
    assert details == {"request_id": "req-500"}
    assert response.headers["x-request-id"] == "req-500"
    assert "injected" not in response.text  # internals stay in the log
