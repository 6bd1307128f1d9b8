"""Benchmark the sample service on a seeded PostgreSQL database (see bench/service/seed.py).

    .venv/bin/python -m bench.service.run --database bench_articles_1m --repeat 3

Starts one service process (one uvicorn worker, like one ECS task), then on loopback:
search with wrk (req/s, p50, p99), the very same search SQL with pgbench (the database's own
ceiling; runs alternate with wrk so both see the same noise), create with wrk, health with wrk,
and, with --ilike, the indexed search against an ILIKE scan. Prints JSON; the numbers go to
docs/benchmarks.md by hand. Not a test: nothing here asserts.

Search is measured on a clean index: the rows an earlier run's create step inserted wait in
the GIN index's pending list until a VACUUM, and every search scans that list (2.75 ms per
lookup instead of 0.2 ms at 100k), which slows pgbench more than HTTP and flatters the ratio.
So before searching, the rows created by earlier runs are deleted and the table is VACUUMed
and ANALYZEd (the report shows the row count and the pending list, which must be 0); the
create step runs after every search run, and its rows are deleted and VACUUMed away at the
end. The load average is recorded around every run: this machine is shared.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench.service.seed import ADMIN_URL, words
from sample_service.storage.postgres import _SEARCH_SQL

REPO = Path(__file__).resolve().parents[2]
SEARCH_LIMIT = 10
QUERY_COUNT = 50
# Two words from the middle of the frequency list: each is in ~1-2% of articles, both in a
# few hundred per million; a realistic search, neither a stop word nor a unique id.
WORD_RANKS = range(1000, 4000)


def search_queries() -> list[str]:
    vocabulary = words()
    picks = list(WORD_RANKS)[:: len(WORD_RANKS) // (2 * QUERY_COUNT)]
    return [
        f"{vocabulary[a]} {vocabulary[b]}" for a, b in zip(picks[0::2], picks[1::2], strict=False)
    ][:QUERY_COUNT]


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(url: str, script: Path | None, seconds: int, connections: int) -> dict[str, Any]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if script is not None:
        command += ["-s", str(script)]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, re.M))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)$", out, re.M)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),  # type: ignore[index]
        "p50_ms": _ms(latency["50"]),
        "p99_ms": _ms(latency["99"]),
        "non_2xx": int(non_2xx[1]) if non_2xx else 0,
        "socket_errors": errors[1] if errors else "",
    }


def pgbench(database: str, scripts: list[Path], seconds: int, clients: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as logs:
        command = [
            "pgbench",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-n",
            "-M",
            "prepared",
            f"-c{clients}",
            "-j2",
            f"-T{seconds}",
            "-l",
            "--log-prefix",
            f"{logs}/tx",
        ]
        for script in scripts:
            command += ["-f", f"{script}@1"]
        out = subprocess.run([*command, database], capture_output=True, text=True, check=True)
        latencies = sorted(
            int(line.split()[2]) / 1000
            for path in Path(logs).iterdir()
            for line in path.read_text().splitlines()
        )
    tps = float(re.search(r"tps = ([\d.]+)", out.stdout)[1])  # type: ignore[index]
    return {
        "tps": tps,
        "p50_ms": latencies[len(latencies) // 2],
        "p99_ms": latencies[int(len(latencies) * 0.99)],
    }


def write_scripts(workdir: Path, queries: list[str]) -> tuple[Path, Path, list[Path]]:
    search_lua = workdir / "search.lua"
    quoted = ", ".join(json.dumps(q.replace(" ", "+")) for q in queries)
    search_lua.write_text(
        f"local queries = {{{quoted}}}\n"
        "local n = 0\n"
        "request = function()\n"
        "  n = n + 1\n"
        f'  return wrk.format("GET", "/api/search?limit={SEARCH_LIMIT}&q=" .. '
        "queries[n % #queries + 1])\n"
        "end\n"
    )
    create_lua = workdir / "create.lua"
    create_lua.write_text(
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        "local n = 0\n"
        "request = function()\n"
        "  n = n + 1\n"
        '  local body = string.format(\'{"title": "Benchmark article %d", '
        '"body": "%s", "tags": ["bench"]}\', n, string.rep("lorem ipsum dolor sit amet ", 20))\n'
        "  return wrk.format(nil, nil, nil, body)\n"
        "end\n"
    )
    sql_scripts = []
    for i, query in enumerate(queries):
        path = workdir / f"search-{i}.sql"
        sql = _SEARCH_SQL.replace("$1", "'" + query + "'").replace("$2", str(SEARCH_LIMIT))
        path.write_text(" ".join(sql.split()) + ";\n")
        sql_scripts.append(path)
    return search_lua, create_lua, sql_scripts


# The create step's articles, told apart from the seeded ones (tagged tag0..tag49).
CREATED_TAGS = ["bench"]


async def clean_index(url: str) -> dict[str, Any]:
    """Delete the articles earlier create steps left, VACUUM and ANALYZE; say what is there."""
    conn = await asyncpg.connect(url)
    try:
        deleted = await conn.execute("DELETE FROM articles WHERE tags = $1", CREATED_TAGS)
        await conn.execute("VACUUM (ANALYZE) articles")
        state: dict[str, Any] = {
            "rows": await conn.fetchval("SELECT count(*) FROM articles"),
            "deleted_created_rows": int(deleted.split()[-1]),
        }
        try:
            await conn.execute("CREATE EXTENSION IF NOT EXISTS pgstattuple")
            pending = await conn.fetchrow(
                "SELECT pending_pages, pending_tuples FROM pgstatginindex('articles_search_idx')"
            )
            state |= dict(pending)
        except asyncpg.PostgresError as exc:  # no contrib package: say so, do not guess
            state["pending_tuples"] = f"unknown ({exc})"
        return state
    finally:
        await conn.close()


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def summary(runs: list[dict[str, Any]], keys: tuple[str, ...]) -> dict[str, Any]:
    """Median and range of each key over the runs."""
    return {
        k: {
            "median": statistics.median(r[k] for r in runs),
            "min": min(r[k] for r in runs),
            "max": max(r[k] for r in runs),
        }
        for k in keys
    }


async def query_stats(url: str, queries: list[str], ilike: bool) -> dict[str, Any]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetchval("SELECT count(*) FROM articles")
        matches = [
            await conn.fetchval(
                "SELECT count(*) FROM articles WHERE search @@ websearch_to_tsquery('english', $1)",
                q,
            )
            for q in queries
        ]
        result: dict[str, Any] = {
            "rows": rows,
            "matches_avg": statistics.mean(matches),
            "matches_max": max(matches),
        }
        if ilike:
            result |= await _indexed_vs_ilike(conn, queries[:10])
        return result
    finally:
        await conn.close()


async def _indexed_vs_ilike(conn: asyncpg.Connection, queries: list[str]) -> dict[str, Any]:
    """Same question both ways: the 10 best/newest articles containing both words."""
    indexed, scan = [], []
    for query in queries:
        first, second = query.split()
        for _ in range(3):
            started = time.perf_counter()
            await conn.fetch(_SEARCH_SQL, query, SEARCH_LIMIT)
            indexed.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        await conn.fetch(
            "SELECT id, title FROM articles WHERE (title || ' ' || body) ILIKE $1 "
            "AND (title || ' ' || body) ILIKE $2 ORDER BY created_at DESC LIMIT $3",
            f"%{first}%",
            f"%{second}%",
            SEARCH_LIMIT,
        )
        scan.append((time.perf_counter() - started) * 1000)
    return {
        "indexed_median_ms": statistics.median(indexed),
        "ilike_median_ms": statistics.median(scan),
        "ilike_over_indexed": statistics.median(scan) / statistics.median(indexed),
    }


def wait_healthy(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit("the service did not become healthy")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=1, help="search/pgbench pairs to run")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--clients", type=int, default=10, help="pgbench clients (= pool size)")
    parser.add_argument("--port", type=int, default=18080)
    parser.add_argument("--ilike", action="store_true", help="also time ILIKE vs the index")
    parser.add_argument(
        "--service-python",
        default=sys.executable,
        help="interpreter for the service (e.g. a venv that also has uvloop and httptools)",
    )
    parser.add_argument(
        "--service-root",
        default=str(REPO),
        help="the checkout whose sample_service to run (e.g. an older commit, for before/after)",
    )
    parser.add_argument(
        "--baseline-root",
        help="also run this checkout's sample_service (say, the last release) on the next port, "
        "its search runs alternating with the service's and pgbench's, so a before/after shares "
        "the same minutes of noise",
    )
    parser.add_argument(
        "--baseline-python",
        default=sys.executable,
        help="interpreter for the baseline (e.g. a venv with only the old requirements.txt)",
    )
    args = parser.parse_args()
    for tool in ("wrk", "pgbench"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed (apt-get install wrk postgresql-contrib)")

    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{args.database}"
    queries = search_queries()
    report: dict[str, Any] = {
        "database": args.database,
        "service_root": args.service_root,
        "queries": [*queries[:3], "..."],
    }
    report["load_average_at_start"] = load_average()
    report["index_before_search"] = asyncio.run(clean_index(url))
    report |= asyncio.run(query_stats(url, queries, args.ilike))
    service_url = f"http://127.0.0.1:{args.port}"
    env = {
        "DATABASE_URL": url,
        "APP_ENV": "bench",
        "HOST": "127.0.0.1",
        "PORT": str(args.port),
        "LOG_LEVEL": "warning",
        "DB_POOL_SIZE": str(args.clients),
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": args.service_root,
    }
    with tempfile.TemporaryDirectory() as work:
        search_lua, create_lua, sql_scripts = write_scripts(Path(work), queries)
        service = subprocess.Popen(
            [args.service_python, "-m", "sample_service", "serve"],
            env=env,
            cwd=work,
            stdout=subprocess.DEVNULL,
        )
        baseline = baseline_url = None
        if args.baseline_root:
            baseline_url = f"http://127.0.0.1:{args.port + 1}"
            baseline = subprocess.Popen(
                [args.baseline_python, "-m", "sample_service", "serve"],
                env={**env, "PORT": str(args.port + 1), "PYTHONPATH": args.baseline_root},
                cwd=work,
                stdout=subprocess.DEVNULL,
            )
        try:
            wait_healthy(service_url)
            wrk(f"{service_url}/api/search", search_lua, 5, args.connections)  # warm-up
            if baseline_url:
                wait_healthy(baseline_url)
                wrk(f"{baseline_url}/api/search", search_lua, 5, args.connections)
            http_runs, db_runs, ratios = [], [], []
            baseline_runs: list[dict[str, Any]] = []
            for _ in range(args.repeat):
                if baseline_url:
                    before = wrk(baseline_url, search_lua, args.seconds, args.connections)
                    before["load_average"] = load_average()
                    baseline_runs.append(before)
                http = wrk(service_url, search_lua, args.seconds, args.connections)
                http["load_average"] = load_average()
                db = pgbench(args.database, sql_scripts, args.seconds, args.clients)
                db["load_average"] = load_average()
                http_runs.append(http)
                db_runs.append(db)
                ratio = {"ratio": http["rps"] / db["tps"]}
                if baseline_runs:
                    ratio["baseline_ratio"] = baseline_runs[-1]["rps"] / db["tps"]
                ratios.append(ratio)
            report["search_http_runs"] = http_runs
            report["search_pgbench_runs"] = db_runs
            report["search_http"] = summary(http_runs, ("rps", "p50_ms", "p99_ms"))
            report["search_pgbench"] = summary(db_runs, ("tps", "p50_ms", "p99_ms"))
            # Each pair's own ratio (both saw the same minute of noise), then their median.
            report["http_over_pgbench"] = summary(ratios, ("ratio",))["ratio"]
            if baseline_runs:
                report["baseline_root"] = args.baseline_root
                report["baseline_search_http_runs"] = baseline_runs
                report["baseline_search_http"] = summary(baseline_runs, ("rps", "p50_ms", "p99_ms"))
                report["baseline_over_pgbench"] = summary(ratios, ("baseline_ratio",))[
                    "baseline_ratio"
                ]
            create_runs, health_runs = [], []
            for _ in range(args.repeat):
                create_runs.append(
                    wrk(f"{service_url}/api/articles", create_lua, args.seconds, args.connections)
                )
                health_runs.append(
                    wrk(f"{service_url}/api/health", None, args.seconds, args.connections)
                )
            report["create_http"] = summary(create_runs, ("rps", "p50_ms", "p99_ms"))
            report["health_http"] = summary(health_runs, ("rps", "p50_ms", "p99_ms"))
            report["non_2xx"] = sum(r["non_2xx"] for r in [*http_runs, *create_runs, *health_runs])
        finally:
            for process in (service, baseline):
                if process is not None:
                    process.terminate()
                    process.wait(timeout=60)
            report["index_after_cleanup"] = asyncio.run(clean_index(url))
            report["load_average_at_end"] = load_average()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
