"""Bad input never yields a 5xx and never leaves a half-written article, on each backend."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from tests.fixtures.postgres import PostgresServer

# Strings that have broken services before: NUL, other controls, lone surrogates (as JSON
# escapes), bidi and zero-width characters, huge runs, markup, SQL and FTS syntax.
nasty_text = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "a\x00b",
            "\x02x\x03",
            "\u202e\u200b",
            "' OR 1=1 --",
            "title:x*",
            'NEAR("a" b)',
            "<script>",
            "é" * 60000,
            "x" * 250,
            "\ud800",
        ]
    ),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | nasty_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(nasty_text, inner, max_size=4),
    max_leaves=12,
)
article_like = st.fixed_dictionaries(
    {},
    optional={
        "title": json_values | nasty_text,
        "body": json_values | nasty_text,
        "tags": st.lists(json_values | nasty_text, max_size=25) | json_values,
        "extra": json_values,
    },
)


def encode(value: Any) -> bytes:
    # ensure_ascii keeps lone surrogates as \\ud800 escapes: valid JSON text, invalid Unicode.
    return json.dumps(value, ensure_ascii=True).encode()


def row_count(client: TestClient) -> int:
    count, cursor = 0, None
    while True:
        params: dict[str, Any] = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/articles", params=params).json()
        count += len(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return count


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(payload=st.one_of(article_like, json_values).map(encode) | st.binary(max_size=200))
def test_bad_input_never_5xx_and_every_201_is_whole(client: TestClient, payload: bytes) -> None:
    before = row_count(client)
    response = client.post(
        "/api/articles", content=payload, headers={"content-type": "application/json"}
    )
    assert response.status_code < 500, response.text
    assert set(response.json()) == (
        {"error"} if response.status_code >= 400 else {"id", "title", "body", "tags", "created_at"}
    )
    if response.status_code == 201:
        article = response.json()
        assert client.get(f"/api/articles/{article['id']}").json() == article
        assert row_count(client) == before + 1
    else:
        assert row_count(client) == before


def install_fault(backend: str, database_url: str, request: pytest.FixtureRequest) -> None:
    """Make the database abort an insert of the title 'boom' after the row was written."""
    if backend == "sqlite":
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as conn:
            conn.execute(
                "CREATE TRIGGER boom AFTER INSERT ON articles WHEN new.title = 'boom' "
                "BEGIN SELECT RAISE(ABORT, 'injected fault'); END"
            )
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    server.execute(
        database_url,
        """
        CREATE OR REPLACE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.title = 'boom' THEN RAISE EXCEPTION 'injected fault'; END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER boom AFTER INSERT ON articles FOR EACH ROW EXECUTE FUNCTION boom();
        """,
    )
    request.addfinalizer(
        lambda: server.execute(
            database_url, "DROP TRIGGER IF EXISTS boom ON articles; DROP FUNCTION IF EXISTS boom()"
        )
    )


def test_a_write_that_fails_inside_the_database_leaves_nothing(
    client: TestClient, backend: str, database_url: str, request: pytest.FixtureRequest
) -> None:
    install_fault(backend, database_url, request)
    failed = client.post("/api/articles", json={"title": "boom", "body": "kaboom wombat"})
    assert failed.status_code == 500
    assert failed.json()["error"]["code"] == "internal_error"
    assert row_count(client) == 0
    assert client.get("/api/search", params={"q": "wombat"}).json()["items"] == []
    ok = client.post("/api/articles", json={"title": "fine", "body": "calm wombat"})
    assert ok.status_code == 201
    assert [
        hit["title"] for hit in client.get("/api/search", params={"q": "wombat"}).json()["items"]
    ] == ["fine"]
    if backend == "sqlite":
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as conn:
            # FTS5 checks its index against the articles table: no orphan from the failed write.
            conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
            assert conn.execute("SELECT count(*) FROM articles_fts").fetchone()[0] == 1
