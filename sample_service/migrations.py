"""The versioned schema of each backend. Applied in order, each once, recorded in schema_migrations.

Never edit a released migration: add the next version. The runners live with each backend
(storage/postgres.py takes an advisory lock, storage/sqlite.py a BEGIN IMMEDIATE) so that N
processes starting at once apply each migration exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass

# Any fixed 64-bit number; it names "the article service's migration lock" in pg_locks.
POSTGRES_LOCK_KEY = 0x5348_4950_4954_0001


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]


POSTGRES_MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)"""

POSTGRES: tuple[Migration, ...] = (
    Migration(
        1,
        "articles with weighted full-text search",
        (
            """
            CREATE TABLE articles (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
                body text NOT NULL CHECK (octet_length(body) <= 102400),
                tags text[] NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 20),
                created_at timestamptz NOT NULL DEFAULT now(),
                -- Stored and generated: the row and its search vector are written by one
                -- statement, so no reader ever sees an article that search cannot find.
                search tsvector GENERATED ALWAYS AS (
                    setweight(to_tsvector('english'::regconfig, title), 'A')
                    || setweight(to_tsvector('english'::regconfig, body), 'B')
                ) STORED
            )""",
            "CREATE INDEX articles_search_idx ON articles USING gin (search)",
            "CREATE INDEX articles_newest_idx ON articles (created_at DESC, id DESC)",
        ),
    ),
)

SQLITE_MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
)"""

SQLITE: tuple[Migration, ...] = (
    Migration(
        1,
        "articles with weighted full-text search",
        (
            """
            CREATE TABLE articles (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
                body TEXT NOT NULL,
                tags TEXT NOT NULL DEFAULT '[]',
                created_at TEXT NOT NULL
            )""",
            "CREATE INDEX articles_newest_idx ON articles (created_at DESC, id DESC)",
            """
            CREATE VIRTUAL TABLE articles_fts USING fts5(
                title, body, content='articles', content_rowid='id',
                tokenize='porter unicode61 remove_diacritics 2'
            )""",
            # Triggers run inside the writing statement's transaction: all or nothing.
            """
            CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
                INSERT INTO articles_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
            END""",
            """
            CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
                INSERT INTO articles_fts (articles_fts, rowid, title, body)
                VALUES ('delete', old.id, old.title, old.body);
            END""",
        ),
    ),
)


def latest_version(migrations: tuple[Migration, ...]) -> int:
    return max((m.version for m in migrations), default=0)
