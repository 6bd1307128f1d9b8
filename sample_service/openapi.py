"""The OpenAPI 3.1 document, written out by hand around the pydantic models' JSON Schemas."""

from __future__ import annotations

import functools
from typing import Any

from pydantic.json_schema import models_json_schema

from sample_service import models
from sample_service.text_rules import query_pattern
from sample_service.types import JSONObject

_REF = "#/components/schemas/{model}"


def _ref(name: str) -> JSONObject:
    return {"$ref": _REF.format(model=name)}


def _json(schema_name: str, description: str) -> JSONObject:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref(schema_name)}},
    }


def _errors(*statuses: int) -> dict[str, JSONObject]:
    text = {
        400: "The body is not valid JSON.",
        404: "No such article.",
        413: "The body is larger than 1 MiB.",
        415: "The Content-Type is not application/json.",
        422: "A field or parameter is invalid; details.fields says which.",
        503: "The database did not answer; retry later.",
    }
    return {str(s): _json("ErrorBody", text[s]) for s in statuses}


def _query(name: str, schema: JSONObject, description: str, required: bool = False) -> JSONObject:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "schema": schema,
        "description": description,
    }


_ARTICLE_ID = {
    "name": "article_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
    "description": "The id returned when the article was created.",
}


@functools.cache
def openapi_document(version: str) -> JSONObject:
    """The whole document; built once per version string."""
    _, definitions = models_json_schema(
        [
            (m, "validation" if m is models.ArticleIn else "serialization")
            for m in (
                models.ArticleIn,
                models.ArticleOut,
                models.ArticlePage,
                models.SearchResults,
                models.Health,
                models.HealthFailure,
                models.ErrorBody,
            )
        ],
        ref_template=_REF,
    )
    paths: dict[str, Any] = {
        "/api/articles": {
            "post": {
                "operationId": "createArticle",
                "summary": "Create an article",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("ArticleIn")}},
                },
                "responses": {
                    "201": _json("ArticleOut", "The stored article."),
                    **_errors(400, 413, 415, 422, 503),
                },
            },
            "get": {
                "operationId": "listArticles",
                "summary": "List articles, newest first (keyset pagination)",
                "parameters": [
                    _query(
                        "limit",
                        {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": models.PAGE_LIMIT_MAX,
                            "default": models.PAGE_LIMIT_DEFAULT,
                        },
                        "Page size.",
                    ),
                    _query(
                        "cursor",
                        {"type": "string", "maxLength": 200},
                        "next_cursor from the previous page, as given; any other string is "
                        "refused with 422 (cursor_invalid).",
                    ),
                ],
                "responses": {"200": _json("ArticlePage", "One page."), **_errors(422, 503)},
            },
        },
        "/api/articles/{article_id}": {
            "parameters": [_ARTICLE_ID],
            "get": {
                "operationId": "getArticle",
                "summary": "Get one article",
                "responses": {"200": _json("ArticleOut", "The article."), **_errors(404, 503)},
            },
            "delete": {
                "operationId": "deleteArticle",
                "summary": "Delete one article",
                "responses": {"204": {"description": "Deleted."}, **_errors(404, 503)},
            },
        },
        "/api/search": {
            "get": {
                "operationId": "searchArticles",
                "summary": "Full-text search, best match first",
                "description": (
                    'Web-search syntax: words (all must match), "quoted phrases", '
                    "`or` between alternatives, `-word` to exclude. Title matches rank above "
                    "body matches."
                ),
                "parameters": [
                    _query(
                        "q",
                        {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": 256,
                            "pattern": query_pattern(),
                        },
                        "The query: no control characters (tab and newlines are spaces), at "
                        "most 32 terms, and at least one word to look for (a query of only "
                        "exclusions, `or` or punctuation is refused with 422).",
                        required=True,
                    ),
                    _query(
                        "limit",
                        {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": models.SEARCH_LIMIT_MAX,
                            "default": models.SEARCH_LIMIT_DEFAULT,
                        },
                        "How many results.",
                    ),
                ],
                "responses": {
                    "200": _json("SearchResults", "Ranked results."),
                    **_errors(422, 503),
                },
            }
        },
        "/api/health": {
            "get": {
                "operationId": "health",
                "summary": "Liveness and database check (for the load balancer)",
                "responses": {
                    "200": _json("Health", "Serving, and the database answers."),
                    "503": _json("HealthFailure", "The database did not answer in time."),
                },
            }
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Article service",
            "version": version,
            "description": (
                "The sample backend that shipit deploys. Every 4xx/5xx body is "
                '{"error": {"code", "message", "details"}}.'
            ),
        },
        "paths": paths,
        "components": {"schemas": definitions["$defs"]},
    }
