"""HTTP probes for the checks: one request, one answer, never an exception.

A probe may be routed: in an emulated AWS the ALB's and the record's names do not resolve, so a
request for such a host is sent to an explicit address with the original Host header (like
``curl --resolve``), and the answer says so in ``via``.
"""

from __future__ import annotations

import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

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


def is_loopback(host: str | None) -> bool:
    return host in ("localhost", "::1") or bool(host and host.startswith("127."))


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
    """A thread-safe prober over httpx that answers each distinct request once per run.

    One client per TLS-verification mode is shared by every probe (building a client loads the
    CA bundle, which costs more than a loopback request); ``close()`` releases them.
    """

    def __init__(
        self, *, timeout: float = DEFAULT_TIMEOUT, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._timeout = timeout
        self._clock = clock
        self._cache: dict[ProbeRequest, ProbeResponse] = {}
        self._clients: dict[bool, httpx.Client] = {}
        self._lock = threading.Lock()

    def _client(self, verify: bool) -> httpx.Client:
        import httpx

        with self._lock:
            if verify not in self._clients:
                self._clients[verify] = httpx.Client(timeout=self._timeout, verify=verify)
            return self._clients[verify]

    def close(self) -> None:
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()

    def __call__(self, request: ProbeRequest) -> ProbeResponse:
        with self._lock:
            cached = self._cache.get(request)
        if cached is not None:
            return cached
        response = self._send(request)
        with self._lock:
            self._cache[request] = response
        return response

    def _send(self, request: ProbeRequest) -> ProbeResponse:
        import httpx

        url, headers, extensions = _routed(request)
        via = describe_request(request)
        start = self._clock()
        try:
            answer = self._client(request.verify_tls).request(
                request.method, url, headers=headers, extensions=extensions
            )
        except httpx.HTTPError as exc:
            return ProbeResponse(
                None, error=f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__,
                via=via, elapsed=self._clock() - start,
            )
        return ProbeResponse(
            answer.status_code,
            {key.lower(): value for key, value in answer.headers.items()},
            via=via,
            elapsed=self._clock() - start,
        )


def _routed(request: ProbeRequest) -> tuple[str, dict[str, str], dict[str, object]]:
    headers = dict(request.headers)
    if request.connect_to is None:
        return request.url, headers, {}
    parts = urllib.parse.urlsplit(request.url)
    headers.setdefault("Host", parts.netloc)
    url = urllib.parse.urlunsplit(parts._replace(netloc=request.connect_to))
    extensions: dict[str, object] = {}
    if parts.scheme == "https" and parts.hostname:
        extensions["sni_hostname"] = parts.hostname
    return url, headers, extensions
