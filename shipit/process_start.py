"""What the ``shipit`` process sets up before a command runs: two costs a short command skips.

- **The cyclic garbage collector, for the first seconds.** A command such as doctor creates
  ~100,000 long-lived objects in its first half second (modules, classes, the AWS SDK's models and
  clients); CPython's collector walks them again and again as they arrive (one full collection
  and ~20 of the middle generation: ~60 ms of a 0.6 s run, finding nothing: they are not
  garbage). It is off for the first ``QUIET_SECONDS`` and on again after that, as always, for
  the commands that run longer (deploy's wait, ``logs --follow``, the sandbox's daemon).
  Reference counting frees everything that is not in a cycle either way.
- The sandbox's daemon, which lives on, keeps the collector off while it starts (moto's import and
  the reference stack) and then freezes what it made (``gc.freeze``: never walked again) and turns
  the collector on (``settled``).
- **pydantic's plugin scan.** The first pydantic model or adapter looks for plugins by reading
  the entry points of every installed distribution (~20-40 ms). shipit uses none; the scan is
  skipped through pydantic's documented ``PYDANTIC_DISABLE_PLUGINS`` unless the user set it.

And one cost at the end: **tearing the interpreter down** (a last full collection over the
~100,000 objects, then freeing them one by one: ~0.2 s of a 0.8 s doctor run) frees memory the
kernel takes back at once anyway. ``finish`` ends the process as Python would (non-daemon
threads joined, atexit handlers run, output flushed) without it.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import sys
import threading
from typing import NoReturn

QUIET_SECONDS = 2.0


def prepare(quiet_seconds: float = QUIET_SECONDS) -> threading.Timer | None:
    """Called once by the executable's entry point, before the command's imports; returns the
    timer that turns the collector on again (None when it was off already: it stays off)."""
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    if not gc.isenabled():
        return None
    gc.disable()
    timer = threading.Timer(quiet_seconds, gc.enable)
    timer.daemon = True  # never holds the exit of a command that ends sooner
    timer.start()
    return timer


def settled() -> None:
    """A long-lived process has started: what it made so far stays out of the collector's walks
    (``gc.freeze``), and the collector is on from now on."""
    gc.freeze()
    gc.enable()


def finish(code: int) -> NoReturn:
    """End the process with exit status ``code``: what Python does at exit, but the teardown.

    Python's own first step (``threading._shutdown``: the threading module's exit callbacks,
    which wake the idle workers of an executor nobody shut down, then every non-daemon thread
    joined), the atexit handlers (logging's flush, weakref finalizers such as temporary
    directories' clean-up), stdout and stderr flushed (a reader that went away, ``shipit logs
    | head``, costs no traceback), then ``os._exit``."""
    threading._shutdown()  # type: ignore[attr-defined]
    atexit._run_exitfuncs()  # the interpreter's own exit step, run by hand
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        if stream is not None:
            with contextlib.suppress(Exception):
                stream.flush()
    os._exit(code)
