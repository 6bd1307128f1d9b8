"""The API's request and response bodies (pydantic); their JSON Schemas feed /openapi.json."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from sample_service.storage.base import Article, SearchHit
from sample_service.text_rules import (
    BODY_CONTROL,
    TITLE_CONTROL,
    body_pattern,
    has_visible,
    title_pattern,
)

TITLE_MAX_CHARS = 200
BODY_MAX_BYTES = 100 * 1024
TAGS_MAX = 20
TAG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$"
_TAG = re.compile(TAG_PATTERN)
PAGE_LIMIT_MAX, PAGE_LIMIT_DEFAULT = 100, 20
SEARCH_LIMIT_MAX, SEARCH_LIMIT_DEFAULT = 50, 10


def _no_control_chars(control: re.Pattern[str]) -> BeforeValidator:
    # Before trimming: a title's trailing newline is refused, not silently dropped, exactly
    # as the schema's pattern says.
    def check(value: Any) -> Any:
        found = control.search(value) if isinstance(value, str) else None
        if found:
            raise ValueError(f"must not contain the control character U+{ord(found.group()):04X}")
        return value

    return BeforeValidator(check)


def _visible(value: Any) -> Any:
    # Runs before trimming (a BeforeValidator), so "   " and "\u200b" get the same message.
    if isinstance(value, str) and value and not has_visible(value):
        raise ValueError(
            "has no visible character: only spaces, zero-width or other invisible characters "
            "(such as U+200B or the bidi controls U+202A-U+202E)"
        )
    return value


def _body_size(value: str) -> str:
    size = len(value.encode("utf-8", "surrogatepass"))
    if size > BODY_MAX_BYTES:
        raise ValueError(f"is {size} bytes of UTF-8; at most {BODY_MAX_BYTES} (100 KiB) allowed")
    return value


def _unique(tags: list[str]) -> list[str]:
    return list(dict.fromkeys(tags))


Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX_CHARS),
    _no_control_chars(TITLE_CONTROL),
    BeforeValidator(_visible),
    Field(
        description="1-200 characters after trimming; no control characters; at least one "
        "visible character (not only spaces, zero-width characters or bidi controls).",
        json_schema_extra={"pattern": title_pattern()},
    ),
]
Body = Annotated[
    str,
    _no_control_chars(BODY_CONTROL),
    BeforeValidator(_visible),
    AfterValidator(_body_size),
    Field(
        max_length=BODY_MAX_BYTES,
        description="Up to 100 KiB (102400 bytes) of UTF-8; tabs and newlines allowed, other "
        "control characters not. Empty, or with at least one visible character (not only "
        "spaces, zero-width characters or bidi controls).",
        json_schema_extra={"pattern": body_pattern()},
    ),
]


def _normalize_tag(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _check_tag(value: str) -> str:
    if not _TAG.fullmatch(value):
        raise ValueError(
            f"{value[:40]!r} is not a tag: use 1-32 of a-z, 0-9 and '-', "
            "not starting or ending with '-'"
        )
    return value


Tag = Annotated[
    str,
    BeforeValidator(_normalize_tag),
    AfterValidator(_check_tag),
    Field(
        description="1-32 of a-z, 0-9 and '-', not starting or ending with '-'; lowercased.",
        json_schema_extra={"pattern": TAG_PATTERN, "minLength": 1, "maxLength": 32},
    ),
]


class ArticleIn(BaseModel):
    """A new article. Unknown fields are refused (a typo should not pass silently)."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            "examples": [{"title": "Hello ECS", "body": "Fargate runs it.", "tags": ["aws"]}]
        },
    )

    title: Title
    body: Body = ""
    tags: Annotated[list[Tag], AfterValidator(_unique)] = Field(
        default_factory=list,
        max_length=TAGS_MAX,
        description="At most 20; duplicates are merged.",
    )


class ArticleOut(BaseModel):
    id: int
    title: str
    body: str
    tags: list[str]
    created_at: datetime

    @classmethod
    def of(cls, article: Article) -> ArticleOut:
        return cls(
            id=article.id,
            title=article.title,
            body=article.body,
            tags=list(article.tags),
            created_at=article.created_at,
        )


class ArticlePage(BaseModel):
    items: list[ArticleOut]
    next_cursor: str | None = Field(
        description="Pass as ?cursor= for the next (older) page; null on the last page."
    )


class ListParams(BaseModel):
    model_config = ConfigDict(extra="ignore")

    limit: int = Field(PAGE_LIMIT_DEFAULT, ge=1, le=PAGE_LIMIT_MAX)
    cursor: str | None = Field(None, max_length=200)


class SearchParams(BaseModel):
    model_config = ConfigDict(extra="ignore")

    q: str = Field(min_length=1, max_length=256)
    limit: int = Field(SEARCH_LIMIT_DEFAULT, ge=1, le=SEARCH_LIMIT_MAX)


class SearchHitOut(BaseModel):
    id: int
    title: str
    tags: list[str]
    created_at: datetime
    snippet: str = Field(description="HTML-escaped excerpt of the body; matches in <mark>.")
    rank: float = Field(description="Higher is more relevant; compare within one response only.")

    @classmethod
    def of(cls, hit: SearchHit) -> SearchHitOut:
        return cls(
            id=hit.id,
            title=hit.title,
            tags=list(hit.tags),
            created_at=hit.created_at,
            snippet=hit.snippet,
            rank=hit.rank,
        )


class SearchResults(BaseModel):
    query: str
    items: list[SearchHitOut]


class Health(BaseModel):
    status: str = Field(examples=["ok"])
    db: str = Field(examples=["ok"])
    version: str


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: dict[str, Any]


class ErrorBody(BaseModel):
    error: ErrorDetail


class HealthFailure(BaseModel):
    """503 from /api/health: the error shape plus the health fields a load balancer shows."""

    status: str = Field(examples=["unavailable"])
    db: str = Field(examples=["error"])
    version: str
    error: ErrorDetail
