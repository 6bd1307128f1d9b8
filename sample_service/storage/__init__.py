"""Storage backends behind one interface; `make_repository` picks one from the settings."""

from __future__ import annotations

from sample_service.config import DatabaseConfig
from sample_service.storage.base import Repository


def make_repository(database: DatabaseConfig, pool_size: int = 10) -> Repository:
    """The repository for `database` (not yet opened)."""
    if database.kind == "postgres":
        from sample_service.storage.postgres import PostgresRepository

        return PostgresRepository(database.dsn, database.password, pool_size)
    from sample_service.storage.sqlite import SqliteRepository

    assert database.sqlite_path is not None
    return SqliteRepository(database.sqlite_path)
