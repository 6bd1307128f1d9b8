"""CORS for an exact list of origins (CORS_ALLOWED_ORIGINS); refusals use the JSON error shape.

Starlette's CORSMiddleware answers a refused preflight in plain text; this one keeps the
service's one error shape and never sends a wildcard. Every response carries `Vary: Origin`,
whether the origin was allowed, refused or absent: each of those gets different headers, so a
cache must never hand one origin's answer to another.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sample_service.errors import error_response

ALLOWED_METHODS = ("GET", "POST", "DELETE", "OPTIONS")
ALLOWED_HEADERS = ("accept", "accept-language", "content-language", "content-type", "x-request-id")
EXPOSED_HEADERS = ("x-request-id", "location")
PREFLIGHT_MAX_AGE = 600


class CorsMiddleware:
    def __init__(self, app: ASGIApp, allowed_origins: Iterable[str]) -> None:
        self.app = app
        self.allowed = frozenset(allowed_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        # Refused (or absent) origins are served without CORS headers: the browser then
        # keeps the response from the page.
        allowed = origin is not None and origin in self.allowed
        if (
            origin is not None
            and scope["method"] == "OPTIONS"
            and "access-control-request-method" in headers
        ):
            await self._preflight(origin, allowed)(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                if allowed and origin is not None:
                    out["Access-Control-Allow-Origin"] = origin
                    out["Access-Control-Expose-Headers"] = ", ".join(EXPOSED_HEADERS)
                out.add_vary_header("Origin")
            await send(message)

        await self.app(scope, receive, send_with_cors)

    def _preflight(self, origin: str, allowed: bool) -> Response:
        if not allowed:
            return error_response(
                403,
                "origin_not_allowed",
                f"the origin {origin[:200]} is not in CORS_ALLOWED_ORIGINS",
                headers={"Vary": "Origin"},
            )
        return Response(
            status_code=204,
            headers={
                "Access-Control-Allow-Origin": origin,
                "Access-Control-Allow-Methods": ", ".join(ALLOWED_METHODS),
                "Access-Control-Allow-Headers": ", ".join(ALLOWED_HEADERS),
                "Access-Control-Max-Age": str(PREFLIGHT_MAX_AGE),
                "Vary": "Origin",
            },
        )
