"""GET /docs: a small API explorer shipped in the package (static/), so it works offline.

It reads /openapi.json, lists every operation with its parameters and body, and sends real
requests from the page. No CDN, no inline script: the page allows only its own origin.
"""

from __future__ import annotations

import functools
from importlib import resources

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_FILES = {
    "/docs": ("explorer.html", "text/html; charset=utf-8"),
    "/docs/explorer.js": ("explorer.js", "text/javascript; charset=utf-8"),
    "/docs/explorer.css": ("explorer.css", "text/css; charset=utf-8"),
}


@functools.cache
def _static(name: str) -> bytes:
    return resources.files("sample_service").joinpath("static", name).read_bytes()


def docs_routes() -> list[Route]:
    def serve(path: str) -> Route:
        name, media_type = _FILES[path]

        async def endpoint(request: Request) -> Response:
            return Response(
                _static(name),
                media_type=media_type,
                headers={
                    "Content-Security-Policy": _CSP,
                    "Cache-Control": "no-cache",
                },
            )

        return Route(path, endpoint, methods=["GET"])

    return [serve(path) for path in _FILES]
