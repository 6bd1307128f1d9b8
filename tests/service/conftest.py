"""Service test fixtures: each backend-dependent test runs on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

with warnings.catch_warnings():
    # Starlette 1.x nudges towards httpx2; the httpx-based client is what this venv has.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from sample_service.app import create_app
from sample_service.config import Settings, load_settings
from tests.fixtures.postgres import PostgresServer
from tests.service.service_process import ServiceProcess, service_env

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A database with no articles in it (the session's PostgreSQL database is emptied)."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'articles.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url: str = request.getfixturevalue("postgres_url")
    server.execute(
        url,
        "DO $$ BEGIN IF to_regclass('articles') IS NOT NULL THEN "
        "TRUNCATE articles RESTART IDENTITY; END IF; END $$",
    )
    return url


@pytest.fixture
def empty_database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A database nobody has created a table in yet."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database()


def settings_for(database_url: str, **env: str) -> Settings:
    return load_settings({"DATABASE_URL": database_url, "APP_ENV": "test", **env})


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    """The app in-process (lifespan run: connected and migrated)."""
    with TestClient(create_app(settings_for(database_url))) as test_client:
        yield test_client


@pytest.fixture
def make_service(tmp_path: Path) -> Iterator[Callable[..., ServiceProcess]]:
    """Build real service processes (not yet started); all are killed at the end of the test."""
    made: list[ServiceProcess] = []

    def make(database_url: str | None, command: str = "serve", **env: str) -> ServiceProcess:
        service = ServiceProcess(service_env(database_url, **env), tmp_path, command)
        made.append(service)
        return service

    yield make
    for service in made:
        service.kill()
