"""``python -m sample_service probe``: can this task reach what it needs? (run by `shipit probe`)

Runs inside a one-off task started from the service's own task definition, so it sees the
network exactly as the service does (subnets, security groups, routes, DNS). Standard library
only, except the database login (asyncpg, which the image has). Each target is tried step by
step and printed as one JSON line; the last line sums up. Exit 1 when any target fails.

    database      DATABASE_URL (or DB_URL): dns -> tcp -> login (DB_PASSWORD) -> SELECT 1
    --tcp N=H:P   dns -> tcp                   (e.g. ecr-api=api.ecr.us-east-1.amazonaws.com:443)
    --http N=URL  dns -> tcp -> http GET (any HTTP answer counts as reached)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass

TIMEOUT = 5.0
PREFIX = "shipit-probe"
"""Every line starts with it, so `shipit probe` finds them among the task's log lines."""


class StepFailed(Exception):
    def __init__(self, step: str, error: str) -> None:
        super().__init__(error)
        self.step, self.error = step, error


@dataclass(frozen=True)
class Result:
    target: str
    ok: bool
    steps: tuple[str, ...]
    failed_step: str | None = None
    error: str | None = None
    ms: float = 0.0

    def line(self) -> str:
        return f"{PREFIX} " + json.dumps({
            "target": self.target, "ok": self.ok, "steps": list(self.steps),
            "failed_step": self.failed_step, "error": self.error, "ms": round(self.ms, 1)})


def resolve(host: str) -> str:
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise StepFailed("dns", f"cannot resolve {host}: {exc}") from None
    return str(infos[0][4][0])


def connect(host: str, port: int) -> None:
    try:
        with socket.create_connection((host, port), timeout=TIMEOUT):
            pass
    except OSError as exc:
        raise StepFailed("tcp", f"cannot connect to {host}:{port}: {exc}") from None


def tcp_target(name: str, host: str, port: int) -> Result:
    def run(steps: list[str]) -> None:
        steps.append("dns")
        resolve(host)
        steps.append("tcp")
        connect(host, port)

    return _timed(name, run)


def http_target(name: str, url: str) -> Result:
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)

    def run(steps: list[str]) -> None:
        steps.append("dns")
        resolve(host)
        steps.append("tcp")
        connect(host, port)
        steps.append("http")
        try:
            with urllib.request.urlopen(url, timeout=TIMEOUT) as response:  # noqa: S310 - given
                response.read(1024)
        except urllib.error.HTTPError:
            return  # an HTTP answer: reached
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise StepFailed("http", f"GET {url}: {exc}") from None

    return _timed(name, run)


def database_target(url: str, password: str | None) -> Result:
    parts = urllib.parse.urlsplit(url)
    host, port = parts.hostname or "", parts.port or 5432

    def run(steps: list[str]) -> None:
        steps.append("dns")
        resolve(host)
        steps.append("tcp")
        connect(host, port)
        steps.append("login")
        try:
            import asyncpg  # the image's own driver
        except ImportError:
            raise StepFailed("login", "asyncpg is not installed in this image") from None

        async def login() -> None:
            connection = await asyncpg.connect(url, password=password, timeout=TIMEOUT)
            try:
                steps.append("query")
                await connection.fetchval("SELECT 1")
            finally:
                await connection.close()

        try:
            asyncio.run(login())
        except Exception as exc:
            step = steps[-1]
            raise StepFailed(step, f"{type(exc).__name__}: {exc}") from None

    return _timed("database", run)


def _timed(name: str, work: Callable[[list[str]], None]) -> Result:
    steps: list[str] = []
    began = time.perf_counter()
    try:
        work(steps)
    except StepFailed as failed:
        return Result(name, False, tuple(steps), failed.step, failed.error,
                      (time.perf_counter() - began) * 1000)
    return Result(name, True, tuple(steps), ms=(time.perf_counter() - began) * 1000)


def _pair(text: str, what: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name or not value:
        raise argparse.ArgumentTypeError(f"{what} must be NAME=VALUE, got {text!r}")
    return name, value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sample_service probe",
                                     description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tcp", action="append", default=[], metavar="NAME=HOST:PORT",
                        type=lambda t: _pair(t, "--tcp"))
    parser.add_argument("--http", action="append", default=[], metavar="NAME=URL",
                        type=lambda t: _pair(t, "--http"))
    parser.add_argument("--no-database", action="store_true")
    args = parser.parse_args(argv)
    results: list[Result] = []
    url = os.environ.get("DATABASE_URL") or os.environ.get("DB_URL")
    if not args.no_database:
        if url and url.startswith(("postgresql://", "postgres://")):
            results.append(database_target(url, os.environ.get("DB_PASSWORD") or None))
        else:
            results.append(Result("database", False, (), "config",
                                  "no postgresql:// DATABASE_URL (or DB_URL) in the task"))
    for name, address in args.tcp:
        host, _, port = address.rpartition(":")
        results.append(tcp_target(name, host.strip("[]"), int(port or 443)))
    for name, target_url in args.http:
        results.append(http_target(name, target_url))
    for result in results:
        print(result.line(), flush=True)
    failed = [r.target for r in results if not r.ok]
    print(f"{PREFIX} " + json.dumps({"done": True, "ok": not failed, "failed": failed}),
          flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
