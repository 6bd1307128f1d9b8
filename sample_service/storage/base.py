"""The storage contract: what the API needs from a database, whichever it is."""

from __future__ import annotations

import abc
import html
import re
from dataclasses import dataclass
from datetime import datetime

from sample_service.search_query import SearchQuery

# ts_headline / snippet() wrap matches in these; input validation rejects them in articles,
# so they can only come from the database and are safe to turn into <mark> after escaping.
MARK_START, MARK_END = "\x02", "\x03"


class StorageUnavailable(Exception):
    """The database did not answer (down, unreachable, locked, timed out); worth retrying."""


@dataclass(frozen=True)
class NewArticle:
    title: str
    body: str
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Article:
    id: int
    title: str
    body: str
    tags: tuple[str, ...]
    created_at: datetime


@dataclass(frozen=True)
class SearchHit:
    id: int
    title: str
    tags: tuple[str, ...]
    created_at: datetime
    snippet: str
    rank: float


@dataclass(frozen=True)
class PageKey:
    """Where a page of newest-first articles starts: strictly before this (created_at, id)."""

    created_at: datetime
    id: int


@dataclass(frozen=True)
class MigrationReport:
    applied: tuple[int, ...]
    version: int


class Repository(abc.ABC):
    """Articles in a database. Every method may raise StorageUnavailable."""

    kind: str

    @abc.abstractmethod
    async def open(self) -> None:
        """Connect (or fail with StorageUnavailable); called once before anything else."""

    @abc.abstractmethod
    async def close(self) -> None: ...

    @abc.abstractmethod
    async def migrate(self) -> MigrationReport:
        """Bring the schema up to date; safe when several processes call it at once."""

    @abc.abstractmethod
    async def check(self, seconds: float) -> None:
        """Raise StorageUnavailable with a reason unless the database answers within `seconds`."""

    @abc.abstractmethod
    async def create(self, article: NewArticle) -> Article:
        """Store an article atomically: afterwards it is fully stored and searchable, or absent."""

    @abc.abstractmethod
    async def get(self, article_id: int) -> Article | None: ...

    @abc.abstractmethod
    async def delete(self, article_id: int) -> bool: ...

    @abc.abstractmethod
    async def list_newest(self, limit: int, before: PageKey | None) -> list[Article]: ...

    @abc.abstractmethod
    async def search(self, query: SearchQuery, limit: int) -> list[SearchHit]: ...


# Whitespace that " ".join(text.split()) would change: a run, or anything but a plain space.
_UNTIDY_SPACE = re.compile(r"\s\s|[^\S ]|^\s|\s$")


def snippet_html(marked: str) -> str:
    """HTML-escape a database snippet (whitespace collapsed), then mark matches with <mark>."""
    # Most snippets are already tidy; one regex scan is cheaper than splitting every word.
    tidy = " ".join(marked.split()) if _UNTIDY_SPACE.search(marked) else marked
    escaped = html.escape(tidy, quote=False)
    return escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
