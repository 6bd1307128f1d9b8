"""Run the service under uvicorn, or run the migrations once. Exit codes:

0  stopped cleanly (SIGTERM/SIGINT: in-flight requests finished first)
1  could not start: the database stayed unreachable for DB_STARTUP_TIMEOUT, or migrating failed
2  configuration error: the message names the environment variable to fix
"""

from __future__ import annotations

import asyncio
import logging
import signal

import uvicorn

from sample_service.app import create_app, prepare_database
from sample_service.config import Settings
from sample_service.http_protocol import protocol_with_header_timeout
from sample_service.storage.base import StorageUnavailable

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2
# ECS waits 30 s (stopTimeout) between SIGTERM and SIGKILL; finish well before that.
GRACEFUL_SHUTDOWN_SECONDS = 25

log = logging.getLogger("sample_service")


def serve(settings: Settings) -> int:
    """Serve until SIGTERM/SIGINT; return the process exit code."""
    config = uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,  # ours: JSON on stdout
        access_log=False,  # ours: request_context.py logs one line per request
        server_header=False,
        lifespan="on",
        # uvloop and httptools are in requirements.txt; named, not "auto", so a missing wheel
        # fails at start instead of silently serving on asyncio + h11 (docs/benchmarks.md).
        loop="uvloop",
        http=protocol_with_header_timeout(settings.http_header_timeout,
                                          settings.http_body_timeout),
        # On every answer, the app's and the protocol's own (400/408/431): no MIME sniffing.
        headers=[("X-Content-Type-Options", "nosniff")],
        timeout_keep_alive=settings.http_keep_alive_timeout,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
    server = uvicorn.Server(config)
    # uvicorn re-raises the stop signal once its graceful shutdown is done, which under the
    # default handler kills the process (exit -15). Ours only asks the server to stop, so a
    # graceful stop exits 0, as ECS and the load balancer's deregistration expect.
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop_signal, lambda _sig, _frame: setattr(server, "should_exit", True))
    log.info(
        "starting",
        extra={
            "version": settings.app_version,
            "app_env": settings.app_env,
            "db": settings.database.redacted(),
            "listen": f"{settings.host}:{settings.port}",
        },
    )
    server.run()
    if not server.started:
        log.error("start-up failed; see the lines above")
        return EXIT_FAILED
    log.info("stopped")
    return EXIT_OK


def migrate(settings: Settings) -> int:
    """Apply pending migrations once and exit (a one-off ECS task, or by hand)."""

    async def run() -> None:
        repository, _ = await prepare_database(settings)
        await repository.close()

    try:
        asyncio.run(run())
    except StorageUnavailable as exc:
        log.error("database unavailable", extra={"reason": str(exc)})
        return EXIT_FAILED
    return EXIT_OK
