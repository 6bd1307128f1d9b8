"""Refuse request bodies over the limit without ever holding them whole in memory."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sample_service.errors import PayloadTooLarge, error_response

MAX_BODY_BYTES = 1024 * 1024


class BodyLimitMiddleware:
    """413 for a declared Content-Length over the limit (before reading a byte), and for a
    chunked body as soon as the bytes counted so far pass it."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            # Connection: close, because the unread body is still on its way.
            response = error_response(
                413,
                PayloadTooLarge.code,
                self._message(),
                {"limit_bytes": self.max_bytes},
                headers={"Connection": "close"},
            )
            await response(scope, receive, send)
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise PayloadTooLarge(
                        self._message(), {"limit_bytes": self.max_bytes}, {"Connection": "close"}
                    )
            return message

        await self.app(scope, counting_receive, send)

    def _message(self) -> str:
        return f"the request body is larger than {self.max_bytes} bytes"
