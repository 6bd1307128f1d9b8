"""The outermost layer: a request id for every request, one access log line, no stray traceback.

An incoming X-Request-ID (from the ALB or a client) is kept if it looks sane, otherwise a new
one is made; either way it is returned as a response header and logged with the access line.
"""

from __future__ import annotations

import logging
import os
import re
import time

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sample_service.errors import error_response

access_log = logging.getLogger("sample_service.access")
error_log = logging.getLogger("sample_service.errors")
_SANE_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")


def request_id_from(headers: Headers) -> str:
    incoming = headers.get("x-request-id", "")
    # 32 random hex digits, as uuid4().hex has but without building a UUID object.
    return incoming if _SANE_ID.fullmatch(incoming) else os.urandom(16).hex()


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = request_id_from(Headers(scope=scope))
        scope.setdefault("state", {})["request_id"] = request_id
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # Starlette already answered 500 (if it could) and re-raised; log it here, once,
            # as JSON, and stop it so the server does not print a plain-text traceback too.
            error_log.exception(
                "unhandled error", extra={"request_id": request_id, "path": scope["path"]}
            )
            if status == 0:
                status = 500
                response = error_response(
                    500,
                    "internal_error",
                    "the server failed to handle the request",
                    {"request_id": request_id},
                )
                await response(scope, receive, send_with_id)
        finally:
            client = scope.get("client")
            access_log.info(
                "%s %s %s",
                scope["method"],
                scope["path"],
                status,
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "latency_ms": round((time.perf_counter() - started) * 1000, 2),
                    "request_id": request_id,
                    "client": client[0] if client else None,
                },
            )
