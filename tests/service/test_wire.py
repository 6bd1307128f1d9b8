"""The fast serializers (wire.py) write exactly what the documented models (models.py) would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from sample_service import models, wire
from sample_service.storage.base import Article, SearchHit, snippet_html

ARTICLES = [
    Article(1, "t", "", (), datetime(2026, 1, 2, tzinfo=UTC)),
    Article(
        2**63 - 1,
        'é\u200b日本 "quoted" \\ </script>',
        "line\nnext\ttab 😀",
        ("a", "b-c"),
        datetime(2026, 11, 28, 3, 4, 5, 678901, tzinfo=UTC),
    ),
    Article(3, "x", "y", ("z",), datetime(2026, 6, 1, 12, tzinfo=timezone(timedelta(hours=2)))),
]
HITS = [
    SearchHit(a.id, a.title, a.tags, a.created_at, f"<mark>{a.title}</mark>", r)
    for a, r in zip(ARTICLES, (0.0, 1e-20, 0.6079271), strict=True)
]


@pytest.mark.parametrize("article", ARTICLES)
def test_an_article(article: Article) -> None:
    assert wire.article_json(article) == models.ArticleOut.of(article).model_dump_json().encode()


@pytest.mark.parametrize("cursor", [None, "eyJ2IjoxfQ"])
def test_a_page(cursor: str | None) -> None:
    expected = models.ArticlePage(
        items=[models.ArticleOut.of(a) for a in ARTICLES], next_cursor=cursor
    )
    assert wire.article_page_json(ARTICLES, cursor) == expected.model_dump_json().encode()


def test_search_results() -> None:
    expected = models.SearchResults(
        query='cat -dog "x"', items=[models.SearchHitOut.of(h) for h in HITS]
    )
    assert wire.search_results_json('cat -dog "x"', HITS) == expected.model_dump_json().encode()
    assert wire.search_results_json("q", []) == b'{"query":"q","items":[]}'


@pytest.mark.parametrize(
    ("marked", "html"),
    [
        ("plain \x02cat\x03 text", "plain <mark>cat</mark> text"),
        ("  runs\n of\t\twhitespace \u2003 ", "runs of whitespace"),
        ("<b> & \x02</b>\x03", "&lt;b&gt; &amp; <mark>&lt;/b&gt;</mark>"),
        ("", ""),
        ("\n", ""),
    ],
)
def test_snippets_are_escaped_collapsed_and_marked(marked: str, html: str) -> None:
    assert snippet_html(marked) == html
