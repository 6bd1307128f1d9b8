"""The sandbox's RDS stand-in: a per-sandbox database on the local PostgreSQL, else SQLite.

A task's DATABASE_URL / DB_URL that names the sandbox's RDS endpoint is rewritten to that
database on 127.0.0.1:5432, so the service talks to a real PostgreSQL as it would in AWS.
"""

from __future__ import annotations

import shutil
import subprocess
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from shipit.defaults import POSTGRES_PORT

PG_HOST, PG_PORT, PG_USER = "127.0.0.1", POSTGRES_PORT, "postgres"
URL_VARIABLES = ("DATABASE_URL", "DB_URL")


@dataclass(frozen=True)
class LocalDatabase:
    url: str
    """What the RDS endpoint maps to: postgresql://postgres@127.0.0.1:5432/<db> or sqlite:///."""
    kind: str  # postgres | sqlite
    name: str


def create_database(name: str, sqlite_dir: Path) -> LocalDatabase:
    """CREATE DATABASE ``name`` on the local PostgreSQL; SQLite in ``sqlite_dir`` without one."""
    if _psql(f'DROP DATABASE IF EXISTS "{name}"') and _psql(f'CREATE DATABASE "{name}"'):
        return LocalDatabase(f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}", "postgres", name)
    sqlite_dir.mkdir(parents=True, exist_ok=True)
    path = sqlite_dir / f"{name}.db"
    return LocalDatabase(f"sqlite:///{path}", "sqlite", name)


def drop_database(database: LocalDatabase) -> None:
    if database.kind == "postgres":
        _psql(f'DROP DATABASE IF EXISTS "{database.name}" WITH (FORCE)')


def rewrite_urls(
    environment: dict[str, str], rds_hosts: set[str], database: LocalDatabase | None
) -> dict[str, str]:
    """Point every database URL at an RDS endpoint of the sandbox to the local database."""
    if database is None:
        return dict(environment)
    rewritten = dict(environment)
    for variable in URL_VARIABLES:
        value = environment.get(variable)
        if value and urllib.parse.urlsplit(value).hostname in rds_hosts:
            rewritten[variable] = database.url
    return rewritten


def _psql(sql: str) -> bool:
    if shutil.which("psql") is None:
        return False
    try:
        result = subprocess.run(
            ["psql", "-h", PG_HOST, "-p", str(PG_PORT), "-U", PG_USER, "-d", "postgres",
             "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
            capture_output=True, timeout=10, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0
