"""`create_app(settings)`: the whole service as one ASGI app, its layers in order."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from sample_service.api import Services, build_routes
from sample_service.config import Settings
from sample_service.cors import CorsMiddleware
from sample_service.docs import docs_routes
from sample_service.errors import EXCEPTION_HANDLERS
from sample_service.limits import MAX_BODY_BYTES, BodyLimitMiddleware
from sample_service.openapi import openapi_document
from sample_service.request_context import RequestContextMiddleware
from sample_service.storage import make_repository
from sample_service.storage.base import MigrationReport, Repository, StorageUnavailable

log = logging.getLogger("sample_service")


async def open_with_retry(repository: Repository, give_up_after: float) -> None:
    """Open the repository, retrying for `give_up_after` s (RDS may still be waking up)."""
    deadline = time.monotonic() + give_up_after
    delay = 0.25
    while True:
        try:
            await repository.open()
            return
        except StorageUnavailable as exc:
            if time.monotonic() + delay > deadline:
                raise
            log.warning(
                "database not reachable yet; retrying",
                extra={"reason": str(exc), "retry_in_s": delay},
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


async def prepare_database(settings: Settings) -> tuple[Repository, MigrationReport]:
    """Open the configured database and bring its schema up to date."""
    repository = make_repository(settings.database, settings.db_pool_size)
    await open_with_retry(repository, settings.db_startup_timeout)
    try:
        report = await repository.migrate()
    except BaseException:
        await repository.close()
        raise
    log.info(
        "schema ready",
        extra={
            "db": settings.database.redacted(),
            "schema_version": report.version,
            "applied": list(report.applied),
        },
    )
    return repository, report


def create_app(settings: Settings) -> ASGIApp:
    """The service: request context > errors > CORS > body limit > routes."""
    services = Services(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        services.repository, _ = await prepare_database(settings)
        if settings.debug_slow_endpoint:
            log.warning("APP_DEBUG_SLOW_ENDPOINT is on: GET /api/debug/slow is served")
        try:
            yield
        finally:
            await services.repository.close()
            services.repository = None

    async def openapi(request: Request) -> Response:
        return JSONResponse(openapi_document(settings.app_version))

    app = Starlette(
        routes=[
            *build_routes(services),
            Route("/openapi.json", openapi, methods=["GET"]),
            *docs_routes(),
        ],
        middleware=[
            Middleware(CorsMiddleware, allowed_origins=settings.cors_allowed_origins),
            Middleware(BodyLimitMiddleware, max_bytes=MAX_BODY_BYTES),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
    return RequestContextMiddleware(app)
