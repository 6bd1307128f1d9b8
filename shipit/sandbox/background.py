"""Work on a daemon thread of its own, its result in a Future (the sandbox daemon's start and
the scheduler's task work).

A daemon thread, not a ThreadPoolExecutor's worker: those are joined at interpreter exit, so a
health check still waiting on a task that is shutting down would hold the sandbox's exit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

T = TypeVar("T")


def in_background(name: str, work: Callable[[], T],
                  then: Callable[[], None] | None = None) -> Future[T]:
    """Start ``work`` on a thread named ``name``; its result or exception comes from the future
    (cancelled before it began, it never runs). ``then`` runs after it, whatever happened."""
    future: Future[T] = Future()

    def run() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(work())
        except BaseException as exc:  # handed to whoever asks for the result
            future.set_exception(exc)
        finally:
            if then is not None:
                then()

    threading.Thread(target=run, daemon=True, name=name).start()
    return future
