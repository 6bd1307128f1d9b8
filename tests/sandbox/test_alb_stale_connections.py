"""The ALB stand-in after its targets closed their idle kept-alive connections: the next
request is answered, not 502 (every pooled connection is stale then, so the retry must be on a
fresh one). A real target process boundary is not needed: a loopback HTTP/1.1 server that drops
idle connections after 0.2 s does what uvicorn does after its keep-alive timeout."""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from shipit.sandbox.alb import LoadBalancerProxy


class _Target(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 0.2  # idle kept-alive connections are closed after this

    def do_GET(self) -> None:
        time.sleep(0.1)  # overlapping requests need one upstream connection each
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        del format, args


@pytest.fixture
def proxy() -> Iterator[LoadBalancerProxy]:
    target = ThreadingHTTPServer(("127.0.0.1", 0), _Target)
    target.daemon_threads = True
    threading.Thread(target=target.serve_forever, daemon=True).start()
    alb = LoadBalancerProxy(0, lambda: [int(target.server_address[1])])
    alb.start()
    try:
        yield alb
    finally:
        alb.stop()
        target.shutdown()
        target.server_close()


def get(port: int) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/api/health")
        return connection.getresponse().status
    finally:
        connection.close()


def test_a_request_after_the_targets_dropped_idle_connections_is_answered(
    proxy: LoadBalancerProxy,
) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(lambda _: get(proxy.port), range(4))) == [200] * 4
    time.sleep(0.6)  # every pooled upstream connection is now closed by the target

    assert get(proxy.port) == 200
    assert get(proxy.port) == 200
