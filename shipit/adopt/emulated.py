"""Where an emulated AWS (the local sandbox) serves what a name would lead to on AWS.

An ALB's DNS name and an ECR host do not resolve to this machine: the sandbox's ALB stand-in
and registry data plane listen on loopback ports that no AWS API reports. When the endpoint in
use is the project's running sandbox, its state file says where they are (and --explain says so).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LocalAddresses:
    alb_url: str
    registry_host: str | None
    load_balancer_arn: str | None
    state_file: str
    website_url: str | None = None
    """The sandbox's S3 website endpoint stand-in (the frontend's origin there)."""
    website_bucket: str | None = None
    credentials_file: str | None = None
    """The sandbox's own keys (relative to the project), which its moto requires."""


def local_addresses(root: Path, endpoint_url: str | None) -> LocalAddresses | None:
    """The running sandbox of ``root`` when ``endpoint_url`` is its moto; None otherwise."""
    if not endpoint_url:
        return None
    from shipit.sandbox.control import running_state, sandbox_paths

    paths = sandbox_paths(root)
    state = running_state(paths)
    if state is None or state.endpoint_url.rstrip("/") != endpoint_url.rstrip("/"):
        return None
    return LocalAddresses(
        alb_url=state.proxy_url, registry_host=state.registry_host or None,
        load_balancer_arn=state.stack.get("load_balancer_arn"),
        state_file=str(paths.state_file),
        website_url=state.website_url if state.website_port else None,
        website_bucket=state.website_bucket or None,
        credentials_file=paths.credentials_file.relative_to(root).as_posix()
        if paths.credentials_file.is_relative_to(root) else None)
