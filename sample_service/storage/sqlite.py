"""Articles in an embedded SQLite file (WAL mode, FTS5); the zero-setup default for a laptop.

sqlite3 blocks, so every call runs on a small thread pool, each thread with its own
connection. Writers serialize with BEGIN IMMEDIATE and wait on busy_timeout, which also makes
several processes on one file behave as one service.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from sample_service.migrations import SQLITE, SQLITE_MIGRATIONS_TABLE, latest_version
from sample_service.search_query import SearchQuery
from sample_service.storage.base import (
    MARK_END,
    MARK_START,
    Article,
    MigrationReport,
    NewArticle,
    PageKey,
    Repository,
    SearchHit,
    StorageUnavailable,
    snippet_html,
)

T = TypeVar("T")

THREADS = 4
BUSY_TIMEOUT_MS = 5_000
TITLE_WEIGHT, BODY_WEIGHT = 10.0, 1.0  # bm25 column weights: a title match counts 10x
_COLUMNS = "id, title, body, tags, created_at"
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # fixed width, so text order is time order
_SEARCH_SQL = f"""
SELECT a.id, a.title, a.tags, a.created_at,
       snippet(articles_fts, 1, '{MARK_START}', '{MARK_END}', ' … ', 24) AS snippet,
       bm25(articles_fts, {TITLE_WEIGHT}, {BODY_WEIGHT}) AS score
FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
WHERE articles_fts MATCH ?
ORDER BY score, a.id DESC
LIMIT ?
"""
# Errors that mean "not available right now" rather than a bug: locked, busy, cannot open.
_UNAVAILABLE_CODES = {
    sqlite3.SQLITE_BUSY,
    sqlite3.SQLITE_LOCKED,
    sqlite3.SQLITE_CANTOPEN,
    sqlite3.SQLITE_IOERR,
    sqlite3.SQLITE_FULL,
    sqlite3.SQLITE_READONLY,
}


class SqliteRepository(Repository):
    kind = "sqlite"

    def __init__(self, path: Path, threads: int = THREADS) -> None:
        self._path = path
        self._threads = threads
        self._executor: ThreadPoolExecutor | None = None
        self._health_executor: ThreadPoolExecutor | None = None
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    async def open(self) -> None:
        self._executor = ThreadPoolExecutor(self._threads, thread_name_prefix="sqlite")
        # Health checks get their own thread so a queue of slow writes cannot starve them.
        self._health_executor = ThreadPoolExecutor(1, thread_name_prefix="sqlite-health")
        await self._run(lambda conn: conn.execute("SELECT 1").fetchone())

    async def close(self) -> None:
        for executor in (self._executor, self._health_executor):
            if executor is not None:
                executor.shutdown(wait=True)
        self._executor = self._health_executor = None
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            # Autocommit mode: transactions are explicit (BEGIN IMMEDIATE) where they matter.
            conn = sqlite3.connect(
                self._path, isolation_level=None, check_same_thread=False, timeout=0
            )
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.row_factory = sqlite3.Row
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    async def _run(
        self, call: Callable[[sqlite3.Connection], T], executor: ThreadPoolExecutor | None = None
    ) -> T:
        pool = executor or self._executor
        assert pool is not None, "open() first"

        def in_thread() -> T:
            try:
                return call(self._connection())
            except sqlite3.Error as exc:
                if getattr(exc, "sqlite_errorcode", None) is not None and (
                    exc.sqlite_errorcode & 0xFF in _UNAVAILABLE_CODES
                ):
                    raise StorageUnavailable(f"sqlite: {exc}") from exc
                raise

        return await asyncio.get_running_loop().run_in_executor(pool, in_thread)

    async def migrate(self) -> MigrationReport:
        return await self._run(_migrate)

    async def check(self, seconds: float) -> None:
        # Proves the service can write: taking the write lock fails while another writer
        # holds it for longer than `seconds`. BEGIN IMMEDIATE + ROLLBACK writes nothing to disk.
        def probe(conn: sqlite3.Connection) -> None:
            conn.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")

        await self._run(probe, self._health_executor)

    async def create(self, article: NewArticle) -> Article:
        created_at = datetime.now(UTC)
        values = (article.title, article.body, json.dumps(list(article.tags)), _iso(created_at))

        def insert(conn: sqlite3.Connection) -> sqlite3.Row:
            return _in_transaction(  # type: ignore[no-any-return]
                conn,
                lambda: conn.execute(
                    "INSERT INTO articles (title, body, tags, created_at) VALUES (?, ?, ?, ?) "
                    f"RETURNING {_COLUMNS}",
                    values,
                ).fetchone(),
            )

        return _article(await self._run(insert))

    async def get(self, article_id: int) -> Article | None:
        row = await self._run(
            lambda conn: conn.execute(
                f"SELECT {_COLUMNS} FROM articles WHERE id = ?", (article_id,)
            ).fetchone()
        )
        return None if row is None else _article(row)

    async def delete(self, article_id: int) -> bool:
        def remove(conn: sqlite3.Connection) -> bool:
            return _in_transaction(
                conn,
                lambda: (
                    conn.execute(
                        "DELETE FROM articles WHERE id = ? RETURNING id", (article_id,)
                    ).fetchone()
                    is not None
                ),
            )

        return await self._run(remove)

    async def list_newest(self, limit: int, before: PageKey | None) -> list[Article]:
        if before is None:
            sql = f"SELECT {_COLUMNS} FROM articles ORDER BY created_at DESC, id DESC LIMIT ?"
            params: tuple[object, ...] = (limit,)
        else:
            sql = (
                f"SELECT {_COLUMNS} FROM articles WHERE (created_at, id) < (?, ?) "
                "ORDER BY created_at DESC, id DESC LIMIT ?"
            )
            params = (_iso(before.created_at), before.id, limit)
        rows = await self._run(lambda conn: conn.execute(sql, params).fetchall())
        return [_article(row) for row in rows]

    async def search(self, query: SearchQuery, limit: int) -> list[SearchHit]:
        match = query.to_fts5()
        rows = await self._run(lambda conn: conn.execute(_SEARCH_SQL, (match, limit)).fetchall())
        return [
            SearchHit(
                id=row["id"],
                title=row["title"],
                tags=tuple(json.loads(row["tags"])),
                created_at=_parse_iso(row["created_at"]),
                snippet=snippet_html(row["snippet"] or ""),
                rank=-float(row["score"]),  # bm25: lower is better; the API says higher is better
            )
            for row in rows
        ]


def _in_transaction(conn: sqlite3.Connection, work: Callable[[], T]) -> T:
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = work()
    except BaseException:
        if conn.in_transaction:  # SQLite may already have rolled back (e.g. disk full)
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return result


def _migrate(conn: sqlite3.Connection) -> MigrationReport:
    # BEGIN IMMEDIATE takes the write lock first: a second process waits, then sees the
    # versions the first one recorded. SQLite DDL is transactional, so a failure leaves nothing.
    def apply() -> MigrationReport:
        conn.execute(SQLITE_MIGRATIONS_TABLE)
        done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
        applied = []
        for migration in SQLITE:
            if migration.version in done:
                continue
            for statement in migration.statements:
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                (migration.version, migration.name),
            )
            applied.append(migration.version)
        return MigrationReport(applied=tuple(applied), version=latest_version(SQLITE))

    return _in_transaction(conn, apply)


def _article(row: sqlite3.Row) -> Article:
    return Article(
        id=row["id"],
        title=row["title"],
        body=row["body"],
        tags=tuple(json.loads(row["tags"])),
        created_at=_parse_iso(row["created_at"]),
    )


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_TIME_FORMAT)


def _parse_iso(text: str) -> datetime:
    return datetime.strptime(text, _TIME_FORMAT).replace(tzinfo=UTC)
