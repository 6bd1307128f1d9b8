"""Seed a PostgreSQL database with N synthetic articles for the sample service benchmark.

    .venv/bin/python -m bench.service.seed --rows 1000000 --database bench_articles_1m

Creates the database if needed, applies the service's own migrations, then fills `articles`
inside PostgreSQL with generate_series (nothing crosses the wire): titles of 4-8 and bodies
of 40-120 words drawn from a fixed list of 8,000 pseudo-words with a skewed (Zipf-like)
frequency, so some words are common and most are rare, as in real text. The GIN index is
dropped during the load and rebuilt after it (much faster than maintaining it row by row).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import time

import asyncpg

from sample_service.storage.postgres import PostgresRepository

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
WORD_COUNT = 8000
BATCH = 100_000
_SYLLABLES = (  # noqa: SIM905 - one line reads better than 25
    "ka lo mi ren tor vel sa qu zo bri den fal gor hun jas kel mor nix pra sul tam ur vin wex yol"
).split()


def words() -> list[str]:
    """8,000 distinct pseudo-words, deterministic: kalo, kami, ... then three syllables."""
    two = ("".join(p) for p in itertools.product(_SYLLABLES, repeat=2))
    three = ("".join(p) for p in itertools.product(_SYLLABLES, repeat=3))
    return list(itertools.islice(itertools.chain(two, three), WORD_COUNT))


# power(random(), 3) skews picks towards the start of the list: word k of N is drawn with
# probability ~ (k/N)^(-2/3), a heavy head and a long tail. The k-th word is spelled from the
# 25 syllables by arithmetic (the same order as words()), which is far cheaper than indexing
# an 8,000-element text array. `g` and `i` make PostgreSQL evaluate the sub-selects per row.
_WORD = (
    "CASE WHEN k < 625 THEN s[k / 25 + 1] || s[k % 25 + 1] "
    "ELSE s[(k - 625) / 625 + 1] || s[(k - 625) / 25 % 25 + 1] || s[(k - 625) % 25 + 1] END"
)
_PICKS = "SELECT floor(power(random(), 3) * $3)::int + i * 0 AS k FROM generate_series(1, {n}) i"
_FILL = f"""
INSERT INTO articles (title, body, tags, created_at)
SELECT
    (SELECT string_agg({_WORD}, ' ') FROM ({_PICKS.format(n="4 + g % 5")}) picks),
    (SELECT string_agg({_WORD}, ' ') FROM ({_PICKS.format(n="40 + g % 81")}) picks),
    ARRAY['tag' || (g % 50)],
    now() - make_interval(secs => ($2 - g) * 30)
FROM generate_series($1::bigint, $2::bigint) AS g, (SELECT $4::text[] AS s) AS syllables
"""


async def seed(database: str, rows: int) -> None:
    admin = await asyncpg.connect(ADMIN_URL)
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database):
            await admin.execute(f'CREATE DATABASE "{database}"')
    finally:
        await admin.close()
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{database}"
    await PostgresRepository(url, None).migrate()
    conn = await asyncpg.connect(url)
    try:
        have = await conn.fetchval("SELECT count(*) FROM articles")
        if have >= rows:
            print(f"{database}: already {have} articles")
            return
        started = time.monotonic()
        await conn.execute("DROP INDEX IF EXISTS articles_search_idx")
        for first in range(have + 1, rows + 1, BATCH):
            last = min(first + BATCH - 1, rows)
            await conn.execute(_FILL, first, last, WORD_COUNT, list(_SYLLABLES))
            print(f"{database}: {last}/{rows} rows ({time.monotonic() - started:.0f} s)")
        await conn.execute("SET maintenance_work_mem = '512MB'")
        await conn.execute("CREATE INDEX articles_search_idx ON articles USING gin (search)")
        await conn.execute("VACUUM (ANALYZE) articles")
        print(f"{database}: {rows} articles, indexed, in {time.monotonic() - started:.0f} s")
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--database", required=True)
    args = parser.parse_args()
    asyncio.run(seed(args.database, args.rows))


if __name__ == "__main__":
    main()
