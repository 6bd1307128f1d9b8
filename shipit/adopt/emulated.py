"""Where an emulated AWS (the local sandbox) serves what a name would lead to on AWS.

An ALB's DNS name and an ECR host do not resolve to this machine: the sandbox's ALB stand-in
and registry data plane listen on loopback ports that no AWS API reports. When the endpoint in
use is the project's running sandbox, its state file says where they are (and --explain says so):
the sandbox fills ``LocalAddresses`` in (shipit.sandbox.addresses), adopt only reads them.
"""

from __future__ import annotations

from dataclasses import dataclass


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
