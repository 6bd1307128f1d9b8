"""Articles in PostgreSQL through an asyncpg pool; search with a weighted tsvector and GIN index."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg

from sample_service.migrations import (
    POSTGRES,
    POSTGRES_LOCK_KEY,
    POSTGRES_MIGRATIONS_TABLE,
    latest_version,
)
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

ACQUIRE_TIMEOUT = 5.0
CONNECT_TIMEOUT = 5.0
STATEMENT_TIMEOUT_MS = 10_000

# Failures that mean "the database is not there right now", not "the query is wrong".
_UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,  # admin shutdown, statement timeout
    asyncpg.exceptions.InsufficientResourcesError,  # too many connections
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.InterfaceError,  # connection closed under us, pool closing
)

_COLUMNS = "id, title, body, tags, created_at"
_HEADLINE_OPTIONS = (
    f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=35, MinWords=12, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)
# Rank and cut first, then build headlines for the few rows kept: ts_headline re-parses the
# whole body, which is the expensive part.
_SEARCH_SQL = f"""
WITH q AS (SELECT websearch_to_tsquery('english', $1) AS query),
top AS (
    SELECT a.id, a.title, a.body, a.tags, a.created_at, ts_rank(a.search, q.query) AS rank
    FROM articles a, q
    WHERE a.search @@ q.query
    ORDER BY rank DESC, a.id DESC
    LIMIT $2
)
SELECT top.id, top.title, top.tags, top.created_at, top.rank,
       ts_headline('english', top.body, q.query, '{_HEADLINE_OPTIONS}') AS snippet
FROM top, q
ORDER BY top.rank DESC, top.id DESC
"""


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Release a connection to the pool as it is.

    asyncpg's default runs `SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`
    on every release: a second round trip per request, and at 100k rows a good part of the
    database's work for a search. Nothing here changes session state on a pooled connection
    (no SET, LISTEN, cursors or advisory locks; migrations use a connection of their own), and
    asyncpg still rolls back a transaction left open before calling this.
    """


@contextlib.contextmanager
def _unavailable_on_failure() -> Iterator[None]:
    try:
        yield
    except _UNAVAILABLE as exc:
        raise StorageUnavailable(_reason(exc)) from exc


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "the database did not answer in time"
    return f"{type(exc).__name__}: {exc}".rstrip(": ")


class _HealthConnection:
    """One connection of its own for the health check, outside the request pool.

    A pool held by slow requests says nothing about whether the database answers, and a health
    check queued behind them would make the load balancer restart a healthy task. Checks take
    turns on this connection (SELECT 1 takes well under a millisecond); a broken or cancelled
    one is dropped and the next check connects again.
    """

    def __init__(self, dsn: str, password: str | None) -> None:
        self._dsn = dsn
        self._password = password
        self._conn: asyncpg.Connection | None = None
        self._lock = asyncio.Lock()

    async def check(self) -> None:
        async with self._lock:
            try:
                if self._conn is None or self._conn.is_closed():
                    self._conn = await asyncpg.connect(
                        self._dsn,
                        password=self._password,
                        timeout=CONNECT_TIMEOUT,
                        server_settings={"application_name": "sample_service/health"},
                    )
                await self._conn.fetchval("SELECT 1")
            except BaseException:  # incl. the caller's timeout: the connection's state is unknown
                self.close()
                raise

    def close(self) -> None:
        if self._conn is not None:
            self._conn.terminate()
            self._conn = None


class PostgresRepository(Repository):
    kind = "postgres"

    def __init__(self, dsn: str, password: str | None, pool_size: int = 10) -> None:
        self._dsn = dsn
        self._password = password
        self._pool_size = pool_size
        self._pool: asyncpg.Pool | None = None
        self._health = _HealthConnection(dsn, password)

    async def open(self) -> None:
        with _unavailable_on_failure():
            self._pool = await asyncpg.create_pool(
                self._dsn,
                password=self._password,
                min_size=1,
                max_size=self._pool_size,
                timeout=CONNECT_TIMEOUT,
                server_settings={
                    "application_name": "sample_service",
                    "statement_timeout": str(STATEMENT_TIMEOUT_MS),
                },
                reset=_keep_session,
            )

    async def close(self) -> None:
        self._health.close()
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[asyncpg.Connection]:
        assert self._pool is not None, "open() first"
        with _unavailable_on_failure():
            # asyncio.timeout rather than acquire(timeout=...), whose wait_for makes a Task
            # per request; the deadline covers waiting for a connection, not the query
            # (statement_timeout does).
            async with asyncio.timeout(ACQUIRE_TIMEOUT):
                conn = await self._pool.acquire()
            try:
                yield conn
            finally:
                await self._pool.release(conn)

    async def migrate(self) -> MigrationReport:
        with _unavailable_on_failure():
            conn = await asyncpg.connect(
                self._dsn, password=self._password, timeout=CONNECT_TIMEOUT
            )
        try:
            with _unavailable_on_failure():
                return await _migrate(conn)
        finally:
            await conn.close()

    async def check(self, seconds: float) -> None:
        try:
            async with asyncio.timeout(seconds):
                with _unavailable_on_failure():
                    await self._health.check()
        except TimeoutError:
            raise StorageUnavailable(f"the database did not answer within {seconds:g} s") from None

    async def create(self, article: NewArticle) -> Article:
        async with self._connection() as conn:
            row = await conn.fetchrow(
                "INSERT INTO articles (title, body, tags) VALUES ($1, $2, $3) "
                f"RETURNING {_COLUMNS}",
                article.title,
                article.body,
                list(article.tags),
            )
        return _article(row)

    async def get(self, article_id: int) -> Article | None:
        async with self._connection() as conn:
            row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM articles WHERE id = $1", article_id)
        return None if row is None else _article(row)

    async def delete(self, article_id: int) -> bool:
        async with self._connection() as conn:
            deleted = await conn.fetchval(
                "DELETE FROM articles WHERE id = $1 RETURNING id", article_id
            )
        return deleted is not None

    async def list_newest(self, limit: int, before: PageKey | None) -> list[Article]:
        async with self._connection() as conn:
            if before is None:
                rows = await conn.fetch(
                    f"SELECT {_COLUMNS} FROM articles ORDER BY created_at DESC, id DESC LIMIT $1",
                    limit,
                )
            else:
                rows = await conn.fetch(
                    f"SELECT {_COLUMNS} FROM articles WHERE (created_at, id) < ($1, $2) "
                    "ORDER BY created_at DESC, id DESC LIMIT $3",
                    before.created_at,
                    before.id,
                    limit,
                )
        return [_article(row) for row in rows]

    async def search(self, query: SearchQuery, limit: int) -> list[SearchHit]:
        async with self._connection() as conn:
            rows = await conn.fetch(_SEARCH_SQL, query.text, limit)
        return [
            SearchHit(
                id=row["id"],
                title=row["title"],
                tags=tuple(row["tags"]),
                created_at=row["created_at"],
                snippet=snippet_html(row["snippet"]),
                rank=float(row["rank"]),
            )
            for row in rows
        ]


async def _migrate(conn: asyncpg.Connection) -> MigrationReport:
    # A session-level advisory lock serializes every migrator on this database (N tasks
    # starting at once); the others wait here, then find nothing left to do.
    await conn.execute("SELECT pg_advisory_lock($1)", POSTGRES_LOCK_KEY)
    try:
        await conn.execute(POSTGRES_MIGRATIONS_TABLE)
        done = {r["version"] for r in await conn.fetch("SELECT version FROM schema_migrations")}
        applied = []
        for migration in POSTGRES:
            if migration.version in done:
                continue
            async with conn.transaction():
                for statement in migration.statements:
                    await conn.execute(statement)
                await conn.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                    migration.version,
                    migration.name,
                )
            applied.append(migration.version)
        return MigrationReport(applied=tuple(applied), version=latest_version(POSTGRES))
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", POSTGRES_LOCK_KEY)


def _article(row: Any) -> Article:
    return Article(
        id=row["id"],
        title=row["title"],
        body=row["body"],
        tags=tuple(row["tags"]),
        created_at=row["created_at"],
    )
