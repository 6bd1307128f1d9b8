"""Where an image goes: registry host, repository and tags, and whether the host fits the region.

ECR hosts look like ``<account>.dkr.ecr.<region>.amazonaws.com`` (``.com.cn`` in China,
``dkr-ecr`` / ``dkr.ecr-fips`` variants exist). A repository lives in exactly one region, so a
host naming another region than ``aws.region`` would push where push's ECR calls never look.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shipit.errors import RegionProblem
from shipit.net import is_loopback_hostport as is_loopback

_ECR_HOST = re.compile(
    r"^(?P<account>\d{12})\.dkr[.-]ecr(?:-fips)?\.(?P<region>[a-z]{2}(?:-[a-z]+)+-\d)"
    r"\.amazonaws\.com(?:\.cn)?(?::\d+)?$"
)
LATEST = "latest"
__all__ = ["LATEST", "EcrHost", "Target", "check_region", "is_loopback", "parse_ecr_host"]


@dataclass(frozen=True)
class EcrHost:
    account: str
    region: str


@dataclass(frozen=True)
class Target:
    """A registry host plus a repository; ``ref(tag)`` is the full image reference."""

    host: str
    repository: str

    def ref(self, tag: str) -> str:
        return f"{self.host}/{self.repository}:{tag}"

    @property
    def insecure(self) -> bool:
        """Plain HTTP without TLS: only for a registry on the loopback interface."""
        return is_loopback(self.host)


def parse_ecr_host(host: str) -> EcrHost | None:
    """The account and region of an ECR registry host, or None for any other registry."""
    match = _ECR_HOST.match(host.strip().lower())
    return EcrHost(match["account"], match["region"]) if match else None


def check_region(host: str, region: str) -> None:
    """Refuse a registry host in another region than the configured one, and say why."""
    ecr = parse_ecr_host(host)
    if ecr is None or ecr.region == region:
        return
    raise RegionProblem(
        f"the registry {host} is in {ecr.region}, but aws.region is {region}: ECR repositories"
        f" and login tokens are per region, so push would create and verify the repository in"
        f" {region} while the image went to {ecr.region}",
        hint=f"set aws.region = \"{ecr.region}\" (or --region {ecr.region}), or point"
        f" image.registry at the ECR host of {region} (or remove it to use the default)",
    )
