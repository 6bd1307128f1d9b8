"""Issue 2's acceptance lines, each against real service processes on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.fixtures.postgres import PostgresServer
from tests.service.service_process import ServiceProcess
from tests.service.tcp_proxy import TcpProxy

MakeService = Callable[..., ServiceProcess]


def query_value(database_url: str, sql: str, request: pytest.FixtureRequest) -> object:
    """One value from the database itself, not through the API."""
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as conn:
            return conn.execute(sql).fetchone()[0]
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.fetchval(database_url, sql)


def wait_for(check: Callable[[], bool], what: str, within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what}")


def health_status(url: str) -> int:
    try:
        return httpx.get(f"{url}/api/health", timeout=10).status_code
    except httpx.TransportError:
        return 0


def test_200_concurrent_creates_store_exactly_200_all_searchable(
    make_service: MakeService, database_url: str, request: pytest.FixtureRequest
) -> None:
    service = make_service(database_url)
    service.start().wait_healthy()

    async def create_all() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=200)
        async with httpx.AsyncClient(base_url=service.url, limits=limits, timeout=60) as http:
            return await asyncio.gather(
                *(
                    http.post(
                        "/api/articles",
                        json={"title": f"Concurrent {i}", "body": f"payload marker{i:03d}x here"},
                    )
                    for i in range(200)
                )
            )

    responses = asyncio.run(create_all())
    assert [r.status_code for r in responses] == [201] * 200
    assert len({r.json()["id"] for r in responses}) == 200
    assert query_value(database_url, "SELECT count(*) FROM articles", request) == 200
    with httpx.Client(base_url=service.url) as http:
        for i in range(200):
            hits = http.get("/api/search", params={"q": f"marker{i:03d}x"}).json()["items"]
            assert [hit["title"] for hit in hits] == [f"Concurrent {i}"]
    assert service.terminate() == 0


def test_two_processes_started_together_on_an_empty_database_share_one_schema(
    make_service: MakeService, empty_database_url: str, request: pytest.FixtureRequest
) -> None:
    first, second = make_service(empty_database_url), make_service(empty_database_url)
    first.start()
    second.start()
    first.wait_healthy()
    second.wait_healthy()
    assert query_value(empty_database_url, "SELECT count(*) FROM schema_migrations", request) == 1
    if empty_database_url.startswith("sqlite:"):
        assert query_value(empty_database_url, "PRAGMA journal_mode", request) == "wal"
    # Both serve the same data: a write through one is read through the other.
    created = httpx.post(f"{first.url}/api/articles", json={"title": "Shared otter"}).json()
    assert httpx.get(f"{second.url}/api/articles/{created['id']}").json() == created
    assert httpx.get(f"{second.url}/api/search", params={"q": "otter"}).json()["items"]
    assert first.terminate() == 0
    assert second.terminate() == 0
    applied = sorted(
        tuple(line["applied"])
        for service in (first, second)
        for line in service.log_lines()
        if line["msg"] == "schema ready"
    )
    assert applied == [(), (1,)]  # exactly one of them migrated; the other waited, then saw it


@pytest.mark.postgres
def test_postgres_unreachable_then_back_without_restart(
    make_service: MakeService, postgres_url: str
) -> None:
    proxy = TcpProxy(("127.0.0.1", 5432)).start()
    try:
        via_proxy = postgres_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
        assert via_proxy != postgres_url
        service = make_service(via_proxy)
        service.start().wait_healthy()
        proxy.cut()
        wait_for(lambda: health_status(service.url) == 503, "503 while the database is cut off")
        body = httpx.get(f"{service.url}/api/health", timeout=10).json()
        assert body["status"] == "unavailable"
        assert body["error"]["code"] == "db_unavailable"
        assert body["error"]["message"]
        listing = httpx.get(f"{service.url}/api/articles", timeout=10)
        assert listing.status_code == 503
        assert listing.json()["error"]["code"] == "db_unavailable"
        proxy.restore()
        wait_for(lambda: health_status(service.url) == 200, "200 once the database is back")
        assert httpx.get(f"{service.url}/api/articles").status_code == 200
        assert service.process is not None
        assert service.process.poll() is None  # the same process, never restarted
        assert service.terminate() == 0
    finally:
        proxy.close()


def test_sqlite_locked_by_another_writer_then_free_without_restart(
    make_service: MakeService, tmp_path: Path
) -> None:
    """SQLite's "unreachable": another process holds the write lock past the health timeout."""
    path = tmp_path / "locked.db"
    service = make_service(f"sqlite:///{path}")
    service.start().wait_healthy()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        response = httpx.get(f"{service.url}/api/health", timeout=10)
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "db_unavailable"
        assert "locked" in response.json()["error"]["message"]
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert health_status(service.url) == 200
    assert service.terminate() == 0


def test_sigterm_during_a_slow_request_finishes_it_and_exits_0(
    make_service: MakeService, database_url: str
) -> None:
    service = make_service(database_url, APP_DEBUG_SLOW_ENDPOINT="1")
    service.start().wait_healthy()
    result: dict[str, httpx.Response] = {}

    def slow_request() -> None:
        result["response"] = httpx.get(f"{service.url}/api/debug/slow?seconds=3", timeout=30)

    thread = threading.Thread(target=slow_request)
    thread.start()
    wait_for(
        lambda: any(line["msg"] == "slow request started" for line in service.log_lines()),
        "the slow request to be in flight",
    )
    assert service.process is not None
    service.process.terminate()  # SIGTERM
    # It stops accepting: new connections are refused while the slow request still runs.
    wait_for(lambda: health_status(service.url) == 0, "the listening socket to close")
    assert thread.is_alive()
    thread.join(timeout=30)
    assert result["response"].status_code == 200
    assert result["response"].json() == {"slept": 3.0}
    assert service.wait() == 0
    messages = [line["msg"] for line in service.log_lines()]
    assert messages.index("GET /api/debug/slow 200") < messages.index("stopped")


def test_the_slow_endpoint_is_off_by_default(make_service: MakeService, tmp_path: Path) -> None:
    service = make_service(f"sqlite:///{tmp_path / 'a.db'}")
    service.start().wait_healthy()
    assert httpx.get(f"{service.url}/api/debug/slow?seconds=0").status_code == 404
    assert service.terminate() == 0
