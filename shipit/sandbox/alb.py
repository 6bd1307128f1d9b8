"""The ALB stand-in: a loopback HTTP reverse proxy to the target group's healthy targets.

Like an ALB it answers 503 when no target is healthy and spreads requests round-robin, and
counts its traffic for CloudWatch (requests, 5xx by origin, target response time).
It listens on 127.0.0.1 only; ``http.url`` of the sandbox environment points here.

It must add no latency of its own: both sockets set TCP_NODELAY (with Nagle's algorithm and
delayed ACKs, a response written in two pieces waited ~40 ms on a kept-alive connection), each
response goes out in one write, and connections to the targets are kept alive and reused.
"""

from __future__ import annotations

import http.client
import itertools
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from shipit.sandbox.cloudwatch_metrics import AlbTraffic
from shipit.sandbox.timing import SERVER_POLL_SECONDS

_HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
    "transfer-encoding", "upgrade",
}
UPSTREAM_TIMEOUT = 60.0
"""Seconds to wait for a target (the ALB's default idle timeout)."""


class _Upstream(http.client.HTTPConnection):
    """A kept-alive connection to one target, without Nagle's delay."""

    def connect(self) -> None:
        super().connect()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _Pool:
    """Idle kept-alive connections per target port (one request at a time on each)."""

    def __init__(self) -> None:
        self._idle: dict[int, list[_Upstream]] = {}
        self._lock = threading.Lock()

    def take(self, port: int) -> tuple[_Upstream, bool]:
        """A connection to ``port`` and whether it was reused (it may have gone stale)."""
        with self._lock:
            idle = self._idle.get(port)
            if idle:
                return idle.pop(), True
        return _Upstream("127.0.0.1", port, timeout=UPSTREAM_TIMEOUT), False

    def give(self, port: int, connection: _Upstream) -> None:
        with self._lock:
            self._idle.setdefault(port, []).append(connection)

    def retain(self, ports: list[int]) -> None:
        """Close idle connections to targets no longer registered (a task being stopped
        must not wait for our kept-alive connections before it can exit)."""
        with self._lock:
            for port in [p for p in self._idle if p not in ports]:
                for connection in self._idle.pop(port):
                    connection.close()

    def close(self) -> None:
        with self._lock:
            for connections in self._idle.values():
                for connection in connections:
                    connection.close()
            self._idle.clear()


class LoadBalancerProxy:
    def __init__(self, port: int, targets: Callable[[], list[int]],
                 traffic: AlbTraffic | None = None) -> None:
        self._targets = targets
        self.traffic = traffic or AlbTraffic()
        self._counter = itertools.count()
        self._pool = _Pool()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_GET(self) -> None:
                proxy.forward(self)

            do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

            def log_message(self, format: str, *args: object) -> None:
                del format, args

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True,
                                        name="alb-proxy",
                                        kwargs={"poll_interval": SERVER_POLL_SECONDS})

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._pool.close()

    def retain(self, ports: list[int]) -> None:
        """The targets changed: keep kept-alive connections to these ports only."""
        self._pool.retain(ports)

    def forward(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else None
        targets = self._targets()
        if not targets:
            self.traffic.record(503, None, from_target=False)
            _reply(handler, 503, b"503 Service Temporarily Unavailable (no healthy targets)\n")
            return
        port = targets[next(self._counter) % len(targets)]
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in _HOP_BY_HOP}
        headers["X-Forwarded-For"] = handler.client_address[0]
        began = time.perf_counter()
        exchanged = self._exchange(port, handler.command, handler.path, body, headers)
        if exchanged is None:
            self.traffic.record(502, None, from_target=False)
            _reply(handler, 502, b"502 Bad Gateway\n")
            return
        status, reason, response_headers, payload = exchanged
        self.traffic.record(status, time.perf_counter() - began, from_target=True)
        head = [f"HTTP/1.1 {status} {reason}"]
        head += [f"{name}: {value}" for name, value in response_headers
                 if name.lower() not in _HOP_BY_HOP and name.lower() != "content-length"]
        head.append(f"Content-Length: {len(payload)}")
        if handler.close_connection:
            head.append("Connection: close")
        raw = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
        handler.wfile.write(raw if handler.command == "HEAD" else raw + payload)
        handler.log_request(status)

    def _exchange(self, port: int, method: str, path: str, body: bytes | None,
                  headers: dict[str, str]
                  ) -> tuple[int, str, list[tuple[str, str]], bytes] | None:
        """One request to the target; a stale kept-alive connection is retried once, fresh."""
        for attempt in range(2):
            # The retry must not take another idle connection: after the target's keep-alive
            # timeout every pooled one is stale, and a second stale one answered 502.
            connection, reused = (self._pool.take(port) if attempt == 0 else
                                  (_Upstream("127.0.0.1", port, timeout=UPSTREAM_TIMEOUT), False))
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                payload = response.read()
            except OSError:  # http.client's errors are OSErrors too
                connection.close()
                if reused:
                    continue
                return None
            if response.will_close:
                connection.close()
            else:
                self._pool.give(port, connection)
            return response.status, response.reason, response.getheaders(), payload
        return None


def _reply(handler: BaseHTTPRequestHandler, status: int, body: bytes) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", "text/plain")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body)
