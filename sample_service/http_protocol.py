"""uvicorn's httptools protocol, with a deadline and a size cap for request headers.

uvicorn bounds only the idle time between requests (`timeout_keep_alive`): a client that
connects and then sends its request line and headers a byte at a time holds a connection (and
a file descriptor) forever, and llhttp accepts headers of any size. Both happen before the app
sees a request, so they are guarded here, at the protocol:

- headers must be complete within `header_timeout` seconds of the connection opening (or of
  the first byte of a following keep-alive request); otherwise 408 (or a silent close when
  nothing was sent) and the connection is closed;
- at most `MAX_HEADER_BYTES` may arrive before the headers are complete; otherwise 431.

Protocol errors the app never sees (malformed HTTP: 400, and the two above) answer in the
service's JSON error shape rather than uvicorn's plain text.

And one speed fix: uvicorn writes a response's head and its body with two transport writes,
which on uvloop are two send() syscalls and two TCP segments. Writes made within one turn of
the event loop are joined into one (`CoalescingTransport`).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from sample_service.errors import error_body

log = logging.getLogger("sample_service.http")

# The ALB refuses more than 64 KB of request headers itself; nothing legitimate sends more.
MAX_HEADER_BYTES = 64 * 1024
_REASONS = {400: "Bad Request", 408: "Request Timeout", 431: "Request Header Fields Too Large"}


def protocol_with_header_timeout(header_timeout: float) -> type[HttpToolsProtocol]:
    """The protocol class to hand to uvicorn (`http=`), with its header deadline bound."""

    class Protocol(GuardedHttpToolsProtocol):
        pass

    Protocol.header_timeout = header_timeout
    return Protocol


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    header_timeout = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None
        self._header_bytes = 0
        self._head_begun = False

    # A request's head is "pending" from the connection's start (or the first byte of the
    # next request) until on_headers_complete; the timer runs exactly while it is pending.
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(CoalescingTransport(transport, self.loop))  # type: ignore[arg-type]
        self._start_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        pending = self._header_timer is not None
        super().data_received(data)
        # Counted only while the head was pending before AND after this chunk: a chunk that
        # completes the headers may carry a large body, which is not the headers' size.
        if pending and self._header_timer is not None and not self.transport.is_closing():
            self._header_bytes += len(data)
            if self._header_bytes > MAX_HEADER_BYTES:
                self._stop_head()
                log.info(
                    "request headers too large; connection closed",
                    extra={"client": self._client_host(), "limit_bytes": MAX_HEADER_BYTES},
                )
                self._reply_and_close(
                    431,
                    "request_headers_too_large",
                    f"the request headers are larger than {MAX_HEADER_BYTES} bytes",
                )

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._header_timer is None:
            self._start_head()
        self._head_begun = True

    def on_headers_complete(self) -> None:
        self._stop_head()
        super().on_headers_complete()

    def send_400_response(self, msg: str) -> None:
        self._stop_head()
        self._reply_and_close(400, "bad_request", "the request is not valid HTTP/1.1")

    def _start_head(self) -> None:
        self._header_bytes = 0
        self._head_begun = False
        self._header_timer = self.loop.call_later(self.header_timeout, self._head_timed_out)

    def _stop_head(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _head_timed_out(self) -> None:
        self._header_timer = None
        if self.transport.is_closing():
            return
        log.info(
            "request headers not received in time; connection closed",
            extra={
                "client": self._client_host(),
                "timeout_s": self.header_timeout,
                "bytes_received": self._header_bytes,
            },
        )
        if not self._head_begun:
            # Nothing of a request arrived: an idle pre-connection. A 408 there would be read
            # by a client as the answer to the request it is about to send.
            self.transport.close()
            return
        self._reply_and_close(
            408,
            "request_timeout",
            f"the request headers did not arrive within {self.header_timeout:g} s",
        )

    def _reply_and_close(self, status: int, code: str, message: str) -> None:
        body = json.dumps(error_body(code, message)).encode()
        head = [f"HTTP/1.1 {status} {_REASONS[status]}\r\n".encode()]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        head += [
            b"content-type: application/json\r\n",
            b"content-length: %d\r\n" % len(body),
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        self.transport.close()

    def _client_host(self) -> str | None:
        return self.client[0] if self.client else None


class CoalescingTransport:
    """A transport whose writes within one event-loop turn go out as one write.

    The first write of a turn schedules a flush with call_soon, which runs after the task
    that wrote has yielded: the head and body of a response (sent back to back) leave
    together. `close()` flushes first. Everything else is the wrapped transport's.
    """

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []

    def write(self, data: bytes) -> None:
        if not self._pending:
            self._loop.call_soon(self._flush)
        self._pending.append(data)

    def _flush(self) -> None:
        if self._pending:
            data = b"".join(self._pending)
            self._pending.clear()
            if not self._transport.is_closing():
                self._transport.write(data)

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def write_eof(self) -> None:
        self._flush()
        self._transport.write_eof()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)
