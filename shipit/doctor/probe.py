"""HTTP probes for the checks: one request, one answer, never an exception.

A probe may be routed: in an emulated AWS the ALB's and the record's names do not resolve, so a
request for such a host is sent to an explicit address with the original Host header (like
``curl --resolve``), and the answer says so in ``via``.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from shipit.net import is_loopback
from shipit.types import Clock

DEFAULT_TIMEOUT = 3.0


@dataclass(frozen=True)
class ProbeRequest:
    url: str
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    connect_to: str | None = None
    """host:port to connect to instead of the URL's host (the Host header stays the URL's)."""
    verify_tls: bool = True


@dataclass(frozen=True)
class ProbeResponse:
    status: int | None
    headers: Mapping[str, str] = field(default_factory=dict)
    error: str | None = None
    via: str = ""
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == 200

    def describe(self) -> str:
        answer = f"HTTP {self.status}" if self.status is not None else f"no answer ({self.error})"
        return f"{self.via}: {answer}"


Prober = Callable[[ProbeRequest], ProbeResponse]


def emulated_address(endpoint_url: str | None, http_url: str | None) -> str | None:
    """Where names should be sent when AWS is emulated on this machine (a loopback endpoint
    such as the sandbox's moto) and http.url is a loopback address: its host:port. Otherwise
    None: real DNS applies."""
    endpoint = urllib.parse.urlsplit(endpoint_url or "")
    if not (http_url and is_loopback(endpoint.hostname)):
        return None
    parts = urllib.parse.urlsplit(http_url)
    if not is_loopback(parts.hostname):
        return None
    return f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"


def describe_request(request: ProbeRequest) -> str:
    text = f"{request.method} {request.url}"
    return f"{text} via {request.connect_to}" if request.connect_to else text


class HttpProber:
    """A thread-safe prober that answers each distinct request once per run.

    Built on http.client: a probe is one request, and the stdlib keeps doctor's start-up cheap
    (httpx pulls in its CLI's dependencies at import). TLS uses the system's CA store.
    """

    def __init__(
        self, *, timeout: float = DEFAULT_TIMEOUT, clock: Clock = time.monotonic
    ) -> None:
        self._timeout = timeout
        self._clock = clock
        self._cache: dict[ProbeRequest, ProbeResponse] = {}
        self._contexts: dict[bool, ssl.SSLContext] = {}
        self._lock = threading.Lock()

    def __call__(self, request: ProbeRequest) -> ProbeResponse:
        with self._lock:
            cached = self._cache.get(request)
        if cached is not None:
            return cached
        response = self._send(request)
        with self._lock:
            self._cache[request] = response
        return response

    def close(self) -> None:
        """Nothing stays open between probes; kept so callers need not know."""

    def _context(self, verify: bool) -> ssl.SSLContext:
        with self._lock:
            if verify not in self._contexts:
                context = ssl.create_default_context()
                if not verify:
                    context.check_hostname = False
                    context.verify_mode = ssl.CERT_NONE
                self._contexts[verify] = context
            return self._contexts[verify]

    def _send(self, request: ProbeRequest) -> ProbeResponse:
        parts = urllib.parse.urlsplit(request.url)
        address = request.connect_to or parts.netloc
        host, _, port_text = address.rpartition(":") if ":" in address else (address, "", "")
        https = parts.scheme == "https"
        port = int(port_text) if port_text.isdigit() else (443 if https else 80)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = {"Host": parts.netloc, "User-Agent": "shipit-doctor", **dict(request.headers)}
        via = describe_request(request)
        start = self._clock()
        connection: http.client.HTTPConnection
        if https:
            connection = _TlsConnection(host, port, timeout=self._timeout,
                                        context=self._context(request.verify_tls),
                                        server_name=parts.hostname or host)
        else:
            connection = http.client.HTTPConnection(host, port, timeout=self._timeout)
        try:
            connection.request(request.method, path, headers=headers)
            answer = connection.getresponse()
            answer.read()
        except (OSError, http.client.HTTPException) as exc:
            return ProbeResponse(None, error=f"{type(exc).__name__}: {exc}".rstrip(": "),
                                 via=via, elapsed=self._clock() - start)
        finally:
            connection.close()
        return ProbeResponse(
            answer.status, {key.lower(): value for key, value in answer.getheaders()},
            via=via, elapsed=self._clock() - start,
        )


class _TlsConnection(http.client.HTTPSConnection):
    """HTTPS to an explicit address, with SNI and certificate checks for the URL's host."""

    def __init__(self, host: str, port: int, *, timeout: float, context: ssl.SSLContext,
                 server_name: str) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._server_name = server_name
        self._tls = context

    def connect(self) -> None:
        sock = socket.create_connection((self.host, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self._server_name)
