"""/api/health never waits behind the request pool: every pooled connection is held by a
request blocked on a table lock, and the health check still answers at once, and says ok.

The latency bound (1 s, against a 2 s health timeout and the ~0.5 ms the check takes) is a
behaviour check: before the health check had its own connection it waited for a pooled one and
answered 503 after 2 s here. The measured figure is printed (run with -s to see it).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable

import asyncpg
import httpx
import pytest

from tests.service.service_process import ServiceProcess

pytestmark = pytest.mark.postgres

POOL_SIZE = 2
BLOCKED_REQUESTS = 4  # two hold the pool's connections, two more queue for one


async def blocked_backends(conn: asyncpg.Connection, database: str) -> int:
    return int(
        await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 "
            "AND application_name = 'sample_service' AND wait_event_type = 'Lock'",
            database,
        )
    )


@pytest.mark.parametrize("backend", ["postgres"])  # the pool is PostgreSQL's
def test_health_answers_at_once_while_every_pooled_connection_is_blocked(
    make_service: Callable[..., ServiceProcess], database_url: str
) -> None:
    service = make_service(database_url, DB_POOL_SIZE=str(POOL_SIZE), LOG_LEVEL="warning")
    service.start().wait_healthy()
    database = database_url.rsplit("/", 1)[1]
    loop = asyncio.new_event_loop()
    holder = loop.run_until_complete(asyncpg.connect(database_url))
    watcher = loop.run_until_complete(asyncpg.connect(database_url))
    results: list[int] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(
                httpx.get(f"{service.url}/api/articles", timeout=30).status_code
            )
        )
        for _ in range(BLOCKED_REQUESTS)
    ]
    try:
        loop.run_until_complete(
            holder.execute("BEGIN; LOCK TABLE articles IN ACCESS EXCLUSIVE MODE")
        )
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while loop.run_until_complete(blocked_backends(watcher, database)) < POOL_SIZE:
            assert time.monotonic() < deadline, "the requests never took the pool's connections"
            time.sleep(0.02)

        latencies, bodies = [], []
        # One client made beforehand: httpx.get() would time building its own (~50 ms).
        with httpx.Client(base_url=service.url, timeout=10) as client:
            for _ in range(5):
                started = time.perf_counter()
                response = client.get("/api/health")
                latencies.append(time.perf_counter() - started)
                bodies.append((response.status_code, response.json()))
        print(f"\nhealth with the pool exhausted: {[f'{s * 1000:.1f} ms' for s in latencies]}")
        # Still exhausted after the checks: they did not get through by freeing the pool.
        assert loop.run_until_complete(blocked_backends(watcher, database)) == POOL_SIZE
    finally:
        loop.run_until_complete(holder.execute("ROLLBACK"))
        for thread in threads:
            thread.join(timeout=30)
        loop.run_until_complete(holder.close())
        loop.run_until_complete(watcher.close())
        loop.close()
    assert [(status, body["status"], body["db"]) for status, body in bodies] == [
        (200, "ok", "ok")
    ] * len(bodies)
    assert max(latencies) < 1.0
    # The blocked requests were served once the lock went (none was lost to the test).
    assert results == [200] * BLOCKED_REQUESTS
