"""What the running sandbox serves on loopback where AWS would answer by name (its ALB stand-in,
ECR data plane, website endpoint, own keys), for adopt and export (shipit.adopt.emulated)."""

from __future__ import annotations

from pathlib import Path

from shipit.adopt.emulated import LocalAddresses
from shipit.sandbox.control import running_state, sandbox_paths


def local_addresses(root: Path, endpoint_url: str | None) -> LocalAddresses | None:
    """The running sandbox of ``root`` when ``endpoint_url`` is its moto; None otherwise."""
    if not endpoint_url:
        return None
    paths = sandbox_paths(root)
    state = running_state(paths)
    if state is None or state.endpoint_url.rstrip("/") != endpoint_url.rstrip("/"):
        return None
    return LocalAddresses(
        alb_url=state.proxy_url, registry_host=state.registry_host or None,
        load_balancer_arn=state.stack["load_balancer_arn"] if state.stack else None,
        state_file=str(paths.state_file),
        website_url=state.website_url if state.website_port else None,
        website_bucket=state.website_bucket or None,
        credentials_file=paths.credentials_file.relative_to(root).as_posix()
        if paths.credentials_file.is_relative_to(root) else None)
