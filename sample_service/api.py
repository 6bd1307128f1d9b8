"""The /api endpoints: parse and check the request, call the repository, shape the response."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sample_service import models, wire
from sample_service.config import Settings
from sample_service.errors import (
    InvalidInput,
    InvalidJson,
    NotFound,
    ServiceUnavailable,
    UnsupportedMediaType,
    error_body,
)
from sample_service.pagination import CursorError, decode_cursor, encode_cursor
from sample_service.search_query import QueryError, parse_search_query
from sample_service.storage.base import NewArticle, PageKey, Repository, StorageUnavailable

log = logging.getLogger("sample_service.api")

HEALTH_TIMEOUT = 2.0
MAX_ID = 2**63 - 1
P = TypeVar("P", bound=BaseModel)


@dataclass
class Services:
    """What the handlers need; the repository is set by the app's lifespan."""

    settings: Settings
    repository: Repository | None = field(default=None)

    @property
    def repo(self) -> Repository:
        assert self.repository is not None, "the lifespan opens the repository"
        return self.repository


def _json(body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(body, status_code=status, headers=headers, media_type="application/json")


def _params(model: type[P], request: Request) -> P:
    try:
        return model.model_validate(dict(request.query_params))
    except ValidationError as exc:
        raise InvalidInput.from_pydantic(exc) from None


def _article_id(request: Request) -> int:
    raw = request.path_params["article_id"]
    # Anything that cannot be an id cannot name an article: 404, like an id never used.
    if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) <= MAX_ID:
        raise NotFound(f"no article with id {raw[:40]!r}")
    return int(raw)


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def build_routes(services: Services) -> list[Route]:
    """The API's routes, bound to `services`."""

    async def create_article(request: Request) -> Response:
        if not _is_json(request.headers.get("content-type", "")):
            raise UnsupportedMediaType(
                "send the article as JSON with Content-Type: application/json",
                {"content_type": request.headers.get("content-type", "")[:100]},
            )
        raw = await request.body()
        try:
            data = models.ArticleIn.model_validate_json(raw)
        except ValidationError as exc:
            if any(e["type"] == "json_invalid" for e in exc.errors()):
                raise InvalidJson(
                    "the body is not valid JSON", {"reason": exc.errors()[0]["msg"][:200]}
                ) from None
            raise InvalidInput.from_pydantic(exc) from None
        try:
            article = await services.repo.create(
                NewArticle(title=data.title, body=data.body, tags=tuple(data.tags))
            )
        except StorageUnavailable as exc:
            raise _unavailable(exc) from None
        return _json(wire.article_json(article), 201, {"Location": f"/api/articles/{article.id}"})

    async def list_articles(request: Request) -> Response:
        params = _params(models.ListParams, request)
        before: PageKey | None = None
        if params.cursor:
            try:
                before = decode_cursor(params.cursor)
            except CursorError as exc:
                raise InvalidInput.field("cursor", str(exc), "cursor_invalid") from None
        try:
            # One extra row tells whether an older page exists, without a COUNT.
            rows = await services.repo.list_newest(params.limit + 1, before)
        except StorageUnavailable as exc:
            raise _unavailable(exc) from None
        page, more = rows[: params.limit], len(rows) > params.limit
        cursor = encode_cursor(PageKey(page[-1].created_at, page[-1].id)) if more else None
        return _json(wire.article_page_json(page, cursor))

    async def get_article(request: Request) -> Response:
        article_id = _article_id(request)
        try:
            article = await services.repo.get(article_id)
        except StorageUnavailable as exc:
            raise _unavailable(exc) from None
        if article is None:
            raise NotFound(f"no article with id {article_id}")
        return _json(wire.article_json(article))

    async def delete_article(request: Request) -> Response:
        article_id = _article_id(request)
        try:
            deleted = await services.repo.delete(article_id)
        except StorageUnavailable as exc:
            raise _unavailable(exc) from None
        if not deleted:
            raise NotFound(f"no article with id {article_id}")
        return Response(status_code=204)

    async def search(request: Request) -> Response:
        params = _params(models.SearchParams, request)
        try:
            query = parse_search_query(params.q)
        except QueryError as exc:
            raise InvalidInput.field("q", str(exc), "query_invalid") from None
        try:
            hits = await services.repo.search(query, params.limit)
        except StorageUnavailable as exc:
            raise _unavailable(exc) from None
        return _json(wire.search_results_json(params.q, hits))

    async def health(request: Request) -> Response:
        version = services.settings.app_version
        try:
            await services.repo.check(HEALTH_TIMEOUT)
        except StorageUnavailable as exc:
            body: dict[str, Any] = {"status": "unavailable", "db": "error", "version": version}
            body |= error_body("db_unavailable", f"database check failed: {exc}", {"db": "error"})
            return JSONResponse(body, status_code=503, headers={"Cache-Control": "no-store"})
        return JSONResponse(
            {"status": "ok", "db": "ok", "version": version}, headers={"Cache-Control": "no-store"}
        )

    async def slow(request: Request) -> Response:
        raw = request.query_params.get("seconds", "2")
        if not raw.isascii() or not raw.replace(".", "", 1).isdigit() or float(raw) > 60:
            raise InvalidInput.field("seconds", "a number of seconds from 0 to 60")
        # Logged before sleeping, so a test knows the request is in flight.
        log.info("slow request started", extra={"seconds": float(raw)})
        await asyncio.sleep(float(raw))
        return JSONResponse({"slept": float(raw)})

    async def articles(request: Request) -> Response:
        return await (create_article if request.method == "POST" else list_articles)(request)

    async def article(request: Request) -> Response:
        return await (delete_article if request.method == "DELETE" else get_article)(request)

    # One route per path, so a 405's Allow header lists every method the path has.
    routes = [
        Route("/api/articles", articles, methods=["GET", "POST"]),
        Route("/api/articles/{article_id}", article, methods=["GET", "DELETE"]),
        Route("/api/search", search, methods=["GET"]),
        Route("/api/health", health, methods=["GET"]),
    ]
    if services.settings.debug_slow_endpoint:
        routes.append(Route("/api/debug/slow", slow, methods=["GET"]))
    return routes


def _unavailable(exc: StorageUnavailable) -> ServiceUnavailable:
    return ServiceUnavailable(
        f"the database is not available: {exc}", {"retryable": True}, {"Retry-After": "5"}
    )
