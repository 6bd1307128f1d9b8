"""Full-text search on each backend: ranking, phrases, exclusion, OR, safe highlighted snippets."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.service.test_articles import create


def search(client: TestClient, q: str, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/api/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    assert response.json()["query"] == q
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def titles(items: list[dict[str, Any]]) -> list[str]:
    return [item["title"] for item in items]


def test_finds_by_body_and_title_and_stems(client: TestClient) -> None:
    create(client, "Deploying services", "We deployed the containers on Fargate yesterday.")
    create(client, "Unrelated", "Nothing to see here.")
    assert titles(search(client, "fargate")) == ["Deploying services"]
    assert titles(search(client, "container")) == ["Deploying services"]  # stemmed
    assert titles(search(client, "deploy")) == ["Deploying services"]
    assert search(client, "kubernetes") == []


def test_title_matches_rank_above_body_matches(client: TestClient) -> None:
    create(client, "A note", "The word lighthouse appears in this body, once.")
    create(client, "Lighthouse keeping", "A body about keeping watch over the coast, once.")
    items = search(client, "lighthouse")
    assert titles(items) == ["Lighthouse keeping", "A note"]
    assert items[0]["rank"] > items[1]["rank"]


def test_quoted_phrases_match_words_in_order(client: TestClient) -> None:
    create(client, "One", "the quick brown fox")
    create(client, "Two", "brown is the quick fox")
    assert titles(search(client, '"quick brown"')) == ["One"]
    assert sorted(titles(search(client, "quick brown"))) == ["One", "Two"]


def test_minus_excludes_words_and_phrases(client: TestClient) -> None:
    create(client, "Cats", "cats and dogs")
    create(client, "Only cats", "cats alone")
    assert titles(search(client, "cats -dogs")) == ["Only cats"]
    assert titles(search(client, 'cats -"cats alone"')) == ["Cats"]


def test_or_finds_either(client: TestClient) -> None:
    create(client, "Apples", "red apples")
    create(client, "Pears", "green pears")
    create(client, "Plums", "purple plums")
    assert sorted(titles(search(client, "apples or pears"))) == ["Apples", "Pears"]


def test_snippet_highlights_matches_and_escapes_html(client: TestClient) -> None:
    create(client, "Markup", "Some <script>alert(1)</script> & a falcon flies over the sea.")
    [hit] = search(client, "falcon")
    assert "<mark>falcon</mark>" in hit["snippet"]
    assert "<script>" not in hit["snippet"]
    assert set(hit) == {"id", "title", "tags", "created_at", "snippet", "rank"}


def test_limit_caps_the_results(client: TestClient) -> None:
    for i in range(5):
        create(client, f"Heron {i}", "a heron")
    assert len(search(client, "heron", limit=2)) == 2
    assert len(search(client, "heron")) == 5


def test_user_text_cannot_use_fts_syntax(client: TestClient) -> None:
    create(client, "Syntax", "title NEAR body")
    for q in (
        "title:syntax",
        "NEAR(title body)",
        "syn*",
        '"unbalanced',
        "a AND OR NOT b",
        "^syntax",
    ):
        search(client, q)  # 200 (an FTS5 syntax error would be a 500)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": ""},
        {"q": "x" * 257},
        {"q": "-only"},
        {"q": "!!!"},
        {"q": "a\x00b"},
        {"q": "ok", "limit": 0},
        {"q": "ok", "limit": 51},
        {"q": "ok", "limit": "many"},
    ],
)
def test_bad_queries_are_422_naming_the_parameter(
    client: TestClient, params: dict[str, Any]
) -> None:
    response = client.get("/api/search", params=params)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert {f["field"] for f in error["details"]["fields"]} <= {"q", "limit"}
