"""Where an image goes: registry host, repository and tags, and whether the host fits the region.

ECR hosts follow one grammar (shipit.image_ref). A repository lives in exactly one region, so a
host naming another region than ``aws.region`` would push where push's ECR calls never look.
"""

from __future__ import annotations

from dataclasses import dataclass

from shipit.errors import RegionProblem
from shipit.image_ref import parse_ecr_host
from shipit.net import is_loopback_hostport

LATEST = "latest"


@dataclass(frozen=True)
class Destination:
    """A registry host plus a repository; ``ref(tag)`` is the full image reference."""

    host: str
    repository: str

    def ref(self, tag: str) -> str:
        return f"{self.host}/{self.repository}:{tag}"

    @property
    def insecure(self) -> bool:
        """Plain HTTP without TLS: only for a registry on the loopback interface."""
        return is_loopback_hostport(self.host)


def check_registry_region(host: str, region: str) -> None:
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
