"""Hostile HTTP clients against a real service process, over raw sockets: a hang-up mid-body,
slow headers, idle connections, oversized headers, malformed requests.

The timeouts are set to 1 s here; the bounds asserted on are generous (they check that the
server acts, and not before its deadline, not how fast it is).
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.service.service_process import ServiceProcess

TIMEOUT_S = 1


@pytest.fixture
def service(make_service: Callable[..., ServiceProcess], database_url: str) -> ServiceProcess:
    service = make_service(
        database_url,
        HTTP_HEADER_TIMEOUT=str(TIMEOUT_S),
        HTTP_BODY_TIMEOUT=str(TIMEOUT_S),
        HTTP_KEEP_ALIVE_TIMEOUT=str(TIMEOUT_S),
    )
    service.start().wait_healthy()
    return service


def connect(service: ServiceProcess) -> socket.socket:
    return socket.create_connection(("127.0.0.1", service.port), timeout=10)


def read_until_closed(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def split_response(raw: bytes) -> tuple[int, dict[str, str], Any]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, json.loads(body)


def wait_for_line(
    service: ServiceProcess, match: Callable[[dict[str, Any]], bool], within: float = 10
) -> dict[str, Any]:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        found = [line for line in service.log_lines() if match(line)]
        if found:
            return found[0]
        time.sleep(0.05)
    raise AssertionError(f"no such log line in:\n{service.output()}")


def test_a_hang_up_mid_body_is_logged_as_a_disconnect_never_as_a_5xx(
    service: ServiceProcess,
) -> None:
    sock = connect(service)
    sock.sendall(
        b"POST /api/articles HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        b"Content-Length: 5000\r\n\r\n" + b'{"title": "half an article", "body": "' + b"x" * 100
    )
    time.sleep(0.3)  # the app is now waiting in receive() for the rest of the body
    sock.close()
    access = wait_for_line(
        service,
        lambda line: line.get("logger") == "sample_service.access" and line["method"] == "POST",
    )
    # Half an article is no article.
    assert httpx.get(f"{service.url}/api/articles", timeout=5).json()["items"] == []
    assert service.terminate() == 0

    lines = service.log_lines()
    assert access["status"] == 499  # nginx's "client closed request": a 4xx, not a 5xx
    disconnect = [line for line in lines if line["msg"].startswith("client disconnected")]
    assert len(disconnect) == 1
    assert disconnect[0]["level"] == "info"
    assert disconnect[0]["request_id"] == access["request_id"]
    assert not [line for line in lines if int(line.get("status", 0)) >= 500]
    assert not [line for line in lines if "exc" in line or line["level"] in ("error", "critical")]


def test_a_slow_header_client_gets_408_and_is_dropped_after_the_timeout(
    service: ServiceProcess,
) -> None:
    sock = connect(service)
    started = time.monotonic()
    sock.sendall(b"GET /api/health HTTP/1.1\r\n")
    closed_at = None
    sock.settimeout(0.2)
    received = b""
    for i in range(50):  # a header line every 0.2 s, never the blank line that ends them
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            try:
                sock.sendall(b"X-Slow-%d: a\r\n" % i)
            except OSError:
                break
            continue
        received += chunk
        if not chunk:
            closed_at = time.monotonic()
            break
    assert closed_at is not None, "the server kept the slow client for 10 s"
    assert TIMEOUT_S * 0.9 <= closed_at - started < TIMEOUT_S + 5
    status, headers, body = split_response(received)
    assert status == 408
    assert headers["content-type"] == "application/json"
    assert headers["connection"] == "close"
    assert body["error"]["code"] == "request_timeout"
    # Meanwhile the service served others, and says in its log what it did.
    assert httpx.get(f"{service.url}/api/health", timeout=5).status_code == 200
    line = wait_for_line(service, lambda line: line["msg"].startswith("request headers not"))
    assert line["level"] == "info"
    assert line["bytes_received"] > 0


def test_a_connection_that_sends_nothing_is_closed_silently(service: ServiceProcess) -> None:
    sock = connect(service)
    started = time.monotonic()
    assert read_until_closed(sock) == b""  # no 408 for a request nobody started
    assert TIMEOUT_S * 0.9 <= time.monotonic() - started < TIMEOUT_S + 5


def test_an_idle_keep_alive_connection_is_closed_after_its_timeout(
    service: ServiceProcess,
) -> None:
    sock = connect(service)
    sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: t\r\n\r\n")
    started = time.monotonic()
    raw = read_until_closed(sock)  # the answer, then the close once idle for the timeout
    assert raw.startswith(b"HTTP/1.1 200 ")
    assert TIMEOUT_S * 0.9 <= time.monotonic() - started < TIMEOUT_S + 5


def test_oversized_headers_get_431_in_the_json_error_shape(service: ServiceProcess) -> None:
    sock = connect(service)
    sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * 70_000)
    status, headers, body = split_response(read_until_closed(sock))
    assert status == 431
    assert headers["connection"] == "close"
    assert body["error"]["code"] == "request_headers_too_large"


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GARBAGE\r\n\r\n",
        b"GET /api/health HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
        b"GET /api/health HTTP/1.1\r\nBad Header Name: x\r\n\r\n",
    ],
)
def test_malformed_http_gets_400_in_the_json_error_shape(
    service: ServiceProcess, request_bytes: bytes
) -> None:
    sock = connect(service)
    sock.sendall(request_bytes)
    status, headers, body = split_response(read_until_closed(sock))
    assert status == 400
    assert headers["content-type"] == "application/json"
    assert body == {
        "error": {
            "code": "bad_request",
            "message": "the request is not valid HTTP/1.1",
            "details": {},
        }
    }


@pytest.mark.parametrize(
    "head",
    [
        b"GET /api/health HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n",
        b"GET /api/health HTTP/1.1\r\nHost: t\r\n"
        + b"".join(b"X-H%d: " % i + b"b" * 1000 + b"\r\n" for i in range(70)) + b"\r\n",
        b"GET /api/health?" + b"q" * 70_000 + b" HTTP/1.1\r\nHost: t\r\n\r\n",
    ],
    ids=["one-70kb-header", "70-headers-of-1kb", "70kb-url"],
)
def test_complete_headers_over_64_kib_get_431_however_fast_they_arrive(
    service: ServiceProcess, head: bytes
) -> None:
    sock = connect(service)
    sock.sendall(head)  # the whole request at once: the headers complete in one read
    status, headers, body = split_response(read_until_closed(sock))
    assert status == 431
    assert body["error"]["code"] == "request_headers_too_large"
    assert headers["x-content-type-options"] == "nosniff"


def test_headers_just_under_64_kib_are_served(service: ServiceProcess) -> None:
    sock = connect(service)
    sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: t\r\nConnection: close\r\nX-Big: "
                 + b"a" * 60_000 + b"\r\n\r\n")
    assert read_until_closed(sock).startswith(b"HTTP/1.1 200")


def test_a_slow_body_gets_408_and_is_dropped_after_the_timeout(service: ServiceProcess) -> None:
    sock = connect(service)
    sock.sendall(b"POST /api/articles HTTP/1.1\r\nHost: t\r\nContent-Type: application/json"
                 b"\r\nContent-Length: 1000\r\n\r\n{")
    began = time.monotonic()
    for _ in range(40):  # a byte every 0.1 s: the body never completes in time
        try:
            sock.sendall(b" ")
        except OSError:
            break
        time.sleep(0.1)
        if time.monotonic() - began > TIMEOUT_S + 1:
            break
    status, headers, body = split_response(read_until_closed(sock))
    assert status == 408
    assert headers["connection"] == "close"
    assert body["error"]["code"] == "request_timeout"
    assert "body" in body["error"]["message"]
    assert TIMEOUT_S * 0.9 <= time.monotonic() - began < 10
    assert httpx.get(f"{service.url}/api/articles", timeout=5).json()["items"] == []


def test_an_oversized_chunked_body_is_answered_413_not_reset(service: ServiceProcess) -> None:
    sock = connect(service)
    sock.sendall(b"POST /api/articles HTTP/1.1\r\nHost: t\r\nContent-Type: application/json"
                 b"\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"x" * 65536
    sent = 0
    try:
        while sent < 3 * 1024 * 1024:  # keeps sending past the 1 MiB limit, as a client does
            sock.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            sent += len(chunk)
    except OSError:
        pass  # the server half-closed and stopped reading after its linger: fine
    status, headers, body = split_response(read_until_closed(sock))
    assert status == 413
    assert body["error"]["code"] == "payload_too_large"
    assert headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", ["/api/health", "/api/articles", "/api/nope", "/docs",
                                  "/openapi.json"])
def test_every_answer_says_nosniff(service: ServiceProcess, path: str) -> None:
    answer = httpx.get(service.url + path, timeout=5)
    assert answer.headers.get_list("x-content-type-options") == ["nosniff"]
