"""python -m sample_service [serve|migrate|probe]: serve (the default), apply migrations, or
check what the task can reach (probe.py; run by `shipit probe`).

python -m sample_service                 # serve on 0.0.0.0:$PORT (SQLite file in dev)
DATABASE_URL=postgresql://app@db/app python -m sample_service migrate
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from sample_service.config import ConfigError, load_settings
from sample_service.logging import configure_logging
from sample_service.server import EXIT_CONFIG, migrate, serve


def main(argv: Sequence[str] | None = None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    if given[:1] == ["probe"]:  # its own options; needs no valid settings to run
        from sample_service.probe import main as probe

        return probe(given[1:])
    parser = argparse.ArgumentParser(
        prog="python -m sample_service",
        description="The article service. Configured only by environment variables "
        "(see .env.example).",
    )
    parser.add_argument(
        "command",
        nargs="?",
        default="serve",
        choices=("serve", "migrate"),
        help="serve (default): run the HTTP server; migrate: apply schema migrations and exit",
    )
    args = parser.parse_args(given)
    try:
        settings = load_settings(os.environ)
    except ConfigError as exc:
        print(f"sample_service: configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    configure_logging(settings.log_level, settings.secrets)
    return serve(settings) if args.command == "serve" else migrate(settings)


if __name__ == "__main__":
    sys.exit(main())
