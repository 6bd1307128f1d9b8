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
"""

from __future__ import annotations

import gc
import os
import threading

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
