"""Response bodies serialized straight from the storage dataclasses, in the models' JSON shape.

Building a pydantic model per article (models.ArticleOut.of) validated every field again and
was the largest Python cost of a search; pydantic-core serializes the dataclasses directly.
The models in models.py remain the documented shape (/openapi.json), and
tests/service/test_wire.py holds the two byte-for-byte equal.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import TypeAdapter

from sample_service.storage.base import Article, SearchHit


@dataclass(frozen=True, slots=True)
class _SearchResults:
    query: str
    items: list[SearchHit]


@dataclass(frozen=True, slots=True)
class _ArticlePage:
    items: list[Article]
    next_cursor: str | None


_ARTICLE = TypeAdapter(Article)
_PAGE = TypeAdapter(_ArticlePage)
_SEARCH = TypeAdapter(_SearchResults)


def article_json(article: Article) -> bytes:
    """models.ArticleOut as JSON."""
    return _ARTICLE.dump_json(article)


def article_page_json(items: list[Article], next_cursor: str | None) -> bytes:
    """models.ArticlePage as JSON."""
    return _PAGE.dump_json(_ArticlePage(items, next_cursor))


def search_results_json(query: str, hits: list[SearchHit]) -> bytes:
    """models.SearchResults as JSON."""
    return _SEARCH.dump_json(_SearchResults(query, hits))
