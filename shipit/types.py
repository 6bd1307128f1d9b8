"""Vocabulary every package shares (as starlette/types.py): the shapes of injected time.

Waits take a ``Clock`` and a ``Sleep`` (never ``time`` directly) so tests drive them with a fake
clock. Other shared names have one home each: a doctor check's result is
``shipit.doctor.finding.Verdict``; a deploy's end is ``shipit.deploy.verdict.RolloutOutcome``;
a pushed image as ECR reports it is ``shipit.push.judge.PushedImageCheck``; where an image is
pushed is ``shipit.push.target.Destination``; image references and ECR hosts are
``shipit.image_ref``; the build receipt is ``shipit.image.receipt``.
"""

from __future__ import annotations

from collections.abc import Callable

Clock = Callable[[], float]
"""Seconds on a monotonic clock (``time.monotonic``)."""
Sleep = Callable[[float], None]
"""Wait this many seconds (``time.sleep``)."""
