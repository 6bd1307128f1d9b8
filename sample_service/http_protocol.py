"""uvicorn's httptools protocol, with a deadline and a size cap for request headers.

uvicorn bounds only the idle time between requests (`timeout_keep_alive`): a client that
connects and then sends its request line and headers a byte at a time holds a connection (and
a file descriptor) forever, and llhttp accepts headers of any size. Both happen before the app
sees a request, so they are guarded here, at the protocol:

- headers must be complete within `header_timeout` seconds of the connection opening (or of
  the first byte of a following keep-alive request); otherwise 408 (or a silent close when
  nothing was sent) and the connection is closed;
- at most `MAX_HEADER_BYTES` may arrive before the headers are complete, and the request line
  plus headers may not add up to more (counted as the parser reads them, so 70 KB sent in one
  burst is refused too); otherwise 431;
- a request's body must be complete within `body_timeout` seconds of its headers; otherwise
  408 (when no answer has started) and the connection is closed: a slow body cannot hold a
  connection either.

A response that ends the connection while the client is still sending its body (413 for a
body over the limit) half-closes and reads the rest away for up to `LINGER_SECONDS` before
closing: closing with unread data would make the kernel reset the connection, and the client
would see a reset instead of the 413.

Protocol errors the app never sees (malformed HTTP: 400, and the two above) answer in the
service's JSON error shape rather than uvicorn's plain text.

And one speed fix: uvicorn writes a response's head and its body with two transport writes,
which on uvloop are two send() syscalls and two TCP segments. Writes made within one turn of
the event loop are joined into one (`CoalescingTransport`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from sample_service.errors import error_body

log = logging.getLogger("sample_service.http")

# The ALB refuses more than 64 KB of request headers itself; nothing legitimate sends more.
MAX_HEADER_BYTES = 64 * 1024
LINGER_SECONDS = 2.0
LINGER_BYTES = 4 * 1024 * 1024
_REASONS = {400: "Bad Request", 408: "Request Timeout", 431: "Request Header Fields Too Large"}


class _HeadersTooLarge(Exception):
    """Raised from a parser callback to stop parsing; answered 431 in send_400_response."""


def protocol_with_header_timeout(header_timeout: float,
                                 body_timeout: float = 30.0) -> type[HttpToolsProtocol]:
    """The protocol class to hand to uvicorn (`http=`), with its deadlines bound."""

    class Protocol(GuardedHttpToolsProtocol):
        pass

    Protocol.header_timeout = header_timeout
    Protocol.body_timeout = body_timeout
    return Protocol


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    header_timeout = 10.0
    body_timeout = 30.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None
        self._body_timer: asyncio.TimerHandle | None = None
        self._header_bytes = 0
        self._head_size = 0
        self._head_too_large = False
        self._head_begun = False
        self._body_pending = False
        self._lingering = 0  # bytes read away since the answer that ended the connection

    # A request's head is "pending" from the connection's start (or the first byte of the
    # next request) until on_headers_complete; the timer runs exactly while it is pending.
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        coalescing = CoalescingTransport(transport, self.loop, self._linger_instead_of_close)
        super().connection_made(coalescing)  # type: ignore[arg-type]
        self._start_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head()
        self._stop_body()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._lingering:
            self._lingering += len(data)  # the rest of a body nobody will read
            if self._lingering > LINGER_BYTES:
                self.transport.close()
            return
        pending = self._header_timer is not None
        super().data_received(data)
        # Counted only while the head was pending before AND after this chunk: a chunk that
        # completes the headers may carry a large body, which is not the headers' size.
        if pending and self._header_timer is not None and not self.transport.is_closing():
            self._header_bytes += len(data)
            if self._header_bytes > MAX_HEADER_BYTES:
                self._stop_head()
                self._headers_too_large()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._header_timer is None:
            self._start_head()
        self._head_begun = True
        self._head_size = 0

    def on_url(self, url: bytes) -> None:
        self._count_head(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count_head(len(name) + len(value) + 4)
        super().on_header(name, value)

    def _count_head(self, size: int) -> None:
        self._head_size += size
        if self._head_size > MAX_HEADER_BYTES:
            self._head_too_large = True
            raise _HeadersTooLarge  # httptools stops parsing; uvicorn calls send_400_response

    def on_headers_complete(self) -> None:
        self._stop_head()
        super().on_headers_complete()
        self._body_pending = True
        self._body_timer = self.loop.call_later(self.body_timeout, self._body_timed_out)

    def on_message_complete(self) -> None:
        self._stop_body()
        super().on_message_complete()

    def send_400_response(self, msg: str) -> None:
        self._stop_head()
        self._stop_body()
        if self._head_too_large:
            self._headers_too_large()
            return
        self._reply_and_close(400, "bad_request", "the request is not valid HTTP/1.1")

    def _headers_too_large(self) -> None:
        log.info(
            "request headers too large; connection closed",
            extra={"client": self._client_host(), "limit_bytes": MAX_HEADER_BYTES},
        )
        self._reply_and_close(
            431,
            "request_headers_too_large",
            f"the request headers are larger than {MAX_HEADER_BYTES} bytes",
        )

    def _stop_body(self) -> None:
        self._body_pending = False
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None

    def _body_timed_out(self) -> None:
        self._body_timer = None
        if self.transport.is_closing():
            return
        log.info(
            "request body not received in time; connection closed",
            extra={"client": self._client_host(), "timeout_s": self.body_timeout},
        )
        cycle = self.cycle
        if cycle is not None and not cycle.response_started:
            cycle.response_complete = True  # the app's own answer, if any, is not sent
            self._reply_and_close(
                408, "request_timeout",
                f"the request body did not arrive within {self.body_timeout:g} s")
        else:
            self.transport.close()

    def _linger_instead_of_close(self) -> bool:
        """Called by the transport's close(): True when the client is still sending a body
        (then the transport half-closes and closes after LINGER_SECONDS)."""
        if not self._body_pending or self._lingering:
            return False
        self._stop_body()
        self._lingering = 1
        with contextlib.suppress(Exception):
            self.flow.resume_reading()
        return True

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

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop,
                 linger: Callable[[], bool] = lambda: False) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []
        self._linger = linger

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
        if self._linger() and self._transport.can_write_eof():
            self._transport.write_eof()  # the answer, then FIN; the peer's rest is read away
            self._loop.call_later(LINGER_SECONDS, self._transport.close)
            return
        self._transport.close()

    def write_eof(self) -> None:
        self._flush()
        self._transport.write_eof()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)
