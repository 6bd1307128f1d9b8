"""One JSON shape for every 4xx/5xx: {"error": {"code": str, "message": str, "details": {}}}.

    ApiError                    (base: status, code, message, details)
    ├── InvalidJson             400 invalid_json            the body is not JSON
    ├── NotFound                404 not_found               no such article (or route)
    ├── PayloadTooLarge         413 payload_too_large       body over the 1 MiB limit
    ├── UnsupportedMediaType    415 unsupported_media_type  Content-Type is not JSON
    ├── InvalidInput            422 validation_failed       details.fields lists each problem
    └── ServiceUnavailable      503 db_unavailable          the database did not answer

Starlette's own HTTPExceptions (unknown route 404, 405) and unexpected exceptions (500
internal_error) are turned into the same shape by the handlers at the bottom. A client that
hangs up before its body has arrived is not an error of ours: it is logged as a disconnect and
its access line says 499 (nginx's "client closed request"), never 500.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from sample_service.types import JSONObject

log = logging.getLogger("sample_service.errors")


class ApiError(Exception):
    """An error a client caused or should know about; becomes an error-shaped response."""

    status = 500
    code = "internal_error"

    def __init__(
        self,
        message: str,
        details: JSONObject | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details: JSONObject = details or {}
        self.headers = dict(headers or {})


class InvalidJson(ApiError):
    status, code = 400, "invalid_json"


class NotFound(ApiError):
    status, code = 404, "not_found"


class PayloadTooLarge(ApiError):
    status, code = 413, "payload_too_large"


class UnsupportedMediaType(ApiError):
    status, code = 415, "unsupported_media_type"


class InvalidInput(ApiError):
    status, code = 422, "validation_failed"

    @classmethod
    def from_pydantic(cls, exc: ValidationError, prefix: Sequence[str | int] = ()) -> InvalidInput:
        """Field-level details from a pydantic error: [{field, message, type}, ...]."""
        fields = [
            {
                "field": ".".join(str(part) for part in (*prefix, *error["loc"])) or "body",
                "message": error["msg"].removeprefix("Value error, "),
                "type": error["type"],
            }
            for error in exc.errors(include_url=False, include_input=False)
        ]
        return cls("the request is not valid; see details.fields", {"fields": fields})

    @classmethod
    def field(cls, field: str, message: str, kind: str = "value_error") -> InvalidInput:
        """One field-level problem, in the same shape as pydantic's."""
        return cls(
            "the request is not valid; see details.fields",
            {"fields": [{"field": field, "message": message, "type": kind}]},
        )


class ServiceUnavailable(ApiError):
    status, code = 503, "db_unavailable"


def error_body(code: str, message: str, details: JSONObject | None = None) -> JSONObject:
    """The error shape, as a dict."""
    return {"error": {"code": code, "message": message, "details": details or {}}}


def error_response(
    status: int,
    code: str,
    message: str,
    details: JSONObject | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """The error shape, as a response."""
    return JSONResponse(error_body(code, message, details), status_code=status, headers=headers)


def _code_for(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return f"http_{status}"


async def handle_api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        message = f"no route for {request.method} {request.url.path}"
    elif exc.status_code == 405:
        message = f"{request.method} is not allowed on {request.url.path}"
    else:
        message = str(exc.detail)
    details: dict[str, Any] = {}
    if exc.headers and "allow" in {k.lower() for k in exc.headers}:
        details["allow"] = next(v for k, v in exc.headers.items() if k.lower() == "allow")
    return error_response(
        exc.status_code, _code_for(exc.status_code), message, details, exc.headers
    )


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    # The traceback is logged by the request-context middleware, once, as JSON.
    request_id = getattr(request.state, "request_id", None)
    return error_response(
        500,
        "internal_error",
        "the server failed to handle the request; it has been logged",
        {"request_id": request_id} if request_id else {},
    )


CLIENT_CLOSED_REQUEST = 499


async def handle_client_disconnect(request: Request, exc: Exception) -> Response:
    log.info(
        "client disconnected before sending its whole request",
        extra={
            "request_id": getattr(request.state, "request_id", None),
            "method": request.method,
            "path": request.url.path,
        },
    )
    # Nobody is left to read it (uvicorn drops it); the status only labels the access line.
    return Response(status_code=CLIENT_CLOSED_REQUEST)


EXCEPTION_HANDLERS: dict[Any, Any] = {
    ApiError: handle_api_error,
    ClientDisconnect: handle_client_disconnect,
    HTTPException: handle_http_exception,
    Exception: handle_unexpected,
}
