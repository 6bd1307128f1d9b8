"""What deploy, rollback, status and logs take from shipit.toml: the service and the poll pace."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shipit.errors import UsageError
from shipit.net import is_loopback_url

if TYPE_CHECKING:
    from shipit.config import Settings


def require_service(settings: Settings, env: str | None) -> tuple[str, str, str]:
    """(cluster, service, container); a UsageError naming the missing keys and where."""
    ecs = settings.ecs
    missing = [k for k, v in (("cluster", ecs.cluster), ("service", ecs.service),
                              ("container", ecs.container)) if not v]
    if missing:
        where = f"[env.{env}]" if env else "the base of shipit.toml"
        raise UsageError(f"ecs.{', ecs.'.join(missing)} not set for {where}",
                         hint="set them in shipit.toml, or pick an environment with --env")
    assert ecs.cluster and ecs.service and ecs.container  # noqa: PT018
    return ecs.cluster, ecs.service, ecs.container


def default_interval(settings: Settings) -> float:
    """Poll fast on a loopback endpoint (the sandbox), at ECS's pace otherwise."""
    return 0.25 if is_loopback_url(settings.aws.endpoint_url) else 5.0
