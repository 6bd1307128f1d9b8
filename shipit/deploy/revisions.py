"""Which revision a rollback goes to, and whether a deployment is already running (pure)."""

from __future__ import annotations

from shipit.aws.ecs import Deployment, Service, revision_of
from shipit.errors import UsageError


def rollback_target(current: str, revisions: list[str], to: int | None) -> str:
    """The ARN to roll back to: revision ``to``, else the newest one below the current."""
    by_number = {revision_of(arn): arn for arn in revisions}
    now = revision_of(current)
    if to is not None:
        if to == now:
            raise UsageError(f"the service already runs revision {to}",
                             hint="pick another revision with --to")
        if to not in by_number:
            known = ", ".join(str(n) for n in sorted(by_number)) or "none"
            raise UsageError(f"revision {to} is not an active revision (active: {known})",
                             hint="pick one of the active revisions with --to")
        return by_number[to]
    older = [n for n in by_number if n < now]
    if not older:
        raise UsageError(f"no revision older than {now} to roll back to",
                         hint="pass --to REVISION")
    return by_number[max(older)]


def deployment_in_progress(service: Service) -> Deployment | None:
    """A deployment that is still rolling out (or draining), or None when the service is calm."""
    for deployment in service.deployments:
        if deployment.rollout_state == "IN_PROGRESS":
            return deployment
    if len([d for d in service.deployments if d.status in ("PRIMARY", "ACTIVE")]) > 1:
        return next(d for d in service.deployments if d.status == "PRIMARY")
    return None
