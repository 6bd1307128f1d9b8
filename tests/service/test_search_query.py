"""Web-search syntax -> FTS5: a translation table, and a property that user text stays quoted."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sample_service.search_query import QueryError, parse_search_query


@pytest.mark.parametrize(
    ("query", "fts5"),
    [
        ("cat", '("cat")'),
        ("cat dog", '("cat" AND "dog")'),
        ('"black cat"', '("black cat")'),
        ('"black   cat" dog', '("black cat" AND "dog")'),
        ("cat -dog", '("cat" NOT "dog")'),
        ('cat -"hot dog"', '("cat" NOT "hot dog")'),
        ("cat or dog", '("cat") OR ("dog")'),
        ("cat OR dog -bird", '("cat") OR ("dog" NOT "bird")'),
        ("or cat or", '("cat")'),
        ('"unterminated phrase', '("unterminated phrase")'),
        ("cat - dog", '("cat" AND "dog")'),  # a lone '-' is punctuation, not NOT
        ("well-known", '("well-known")'),
        ("cat*", '("cat*")'),  # no prefix query: * is just punctuation inside the string
        ("title:cat", '("title:cat")'),  # no column filter
        ('NEAR(a b) AND "x" ^y', '("NEAR(a" AND "b)" AND "AND" AND "x" AND "^y")'),
        ('say "he said ""hi"""', '("say" AND "he said" AND "hi")'),
        ("ünïcödé 東京", '("ünïcödé" AND "東京")'),
        ("cat !!! ...", '("cat")'),
        ("cat\tdog", '("cat" AND "dog")'),
    ],
)
def test_translation_table(query: str, fts5: str) -> None:
    assert parse_search_query(query).to_fts5() == fts5


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("", "no word"),
        ("   ", "no word"),
        ("-cat", "no word"),
        ("-cat -dog", "no word"),
        ("!!! ???", "no word"),
        ("or", "no word"),
        ('""', "no word"),
        ("x" * 257, "at most 256"),
        ("cat\x00", "control"),
        (" ".join(f"w{i}" for i in range(33)), "more than 32"),
    ],
)
def test_unsearchable_queries_are_refused(query: str, reason: str) -> None:
    with pytest.raises(QueryError, match=reason):
        parse_search_query(query)


@pytest.fixture(scope="module")
def fts() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(title, body, tokenize='porter unicode61')")
    conn.execute("INSERT INTO t VALUES ('title NEAR', 'body with \"quotes\" and * and ^')")
    return conn


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=80))
def test_any_text_becomes_a_query_fts5_accepts(fts: sqlite3.Connection, text: str) -> None:
    try:
        query = parse_search_query(text)
    except QueryError:
        return
    # FTS5 raises OperationalError ("fts5: syntax error ...") for anything not well formed.
    fts.execute("SELECT count(*) FROM t WHERE t MATCH ?", (query.to_fts5(),)).fetchone()
