"""The sandbox scheduler's pace: the one home of its defaults (`sandbox up`'s options, the daemon).

The health check's own pace comes from the target group (task_life); these only say how often the
scheduler looks and how AWS seconds map to sandbox seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

SERVER_POLL_SECONDS = 0.05
"""How often the daemon's server threads (moto, the ALB proxy, the S3 website, the ECR data
plane) look whether they are asked to stop: `sandbox down` waits for each (the standard
library's default, 0.5 s, made down take ~1 s longer, four servers one after another)."""


@dataclass(frozen=True)
class Timing:
    """The scheduler's own pace; the health check's comes from the target group (task_life)."""

    tick: float = 0.2
    restart_delay: float = 0.2
    """Seconds before a deployment replaces a task that stopped."""
    time_scale: float = 0.1
    """Sandbox seconds per AWS second, where shrinking only makes tasks pass sooner."""
    provisioning: float = 0.0
    """AWS seconds a task stays PROVISIONING (Fargate takes 20-60 s; scaled)."""
