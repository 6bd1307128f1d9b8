"""One boto3 session per run: standard credential chain, profiles, SSO and assume-role.

Endpoints: ``aws.endpoint_url`` in shipit.toml (the sandbox's moto server) wins; otherwise boto3
itself honours AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>. Clients are cached per service.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shipit.aws.errors import translate
from shipit.errors import CredentialsMissing, RegionProblem

if TYPE_CHECKING:
    import boto3


@dataclass(frozen=True)
class AwsTarget:
    """Where and as whom to call AWS."""

    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None


class AwsSession:
    """Builds and caches boto3 clients; translates session-level errors into shipit errors."""

    def __init__(self, target: AwsTarget, *, session: boto3.Session | None = None) -> None:
        self.target = target
        self._session = session
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    @property
    def session(self) -> boto3.Session:
        if self._session is None:
            import boto3
            import botocore.exceptions

            try:
                self._session = boto3.Session(
                    profile_name=self.target.profile or None,
                    region_name=self.target.region or None,
                )
            except botocore.exceptions.ProfileNotFound as exc:
                raise CredentialsMissing(
                    str(exc),
                    hint="list profiles with `aws configure list-profiles`, or fix aws.profile"
                    " / --profile",
                ) from None
        return self._session

    @property
    def region(self) -> str:
        region = self.session.region_name
        if not region:
            raise RegionProblem(
                "no AWS region configured",
                hint="set aws.region in shipit.toml, pass --region, or export AWS_REGION",
            )
        if region not in _known_regions(self.session):
            raise RegionProblem(
                f"unknown AWS region {region!r}",
                hint="use a region code such as us-east-1 or eu-west-1 (check aws.region)",
            )
        return region

    def client(self, service: str) -> Any:
        """A cached boto3 client for ``service`` (typed by the caller with boto3-stubs)."""
        with self._lock:
            if service not in self._clients:
                from botocore.config import Config as BotoConfig

                config = BotoConfig(
                    retries={"max_attempts": 4, "mode": "standard"},
                    connect_timeout=5,
                    read_timeout=30,
                    user_agent_extra="shipit",
                )
                try:
                    self._clients[service] = self.session.client(
                        service,  # type: ignore[call-overload]
                        region_name=self.region,
                        endpoint_url=self.target.endpoint_url or None,
                        config=config,
                    )
                except Exception as exc:  # botocore raises many types here
                    raise translate(exc, operation=f"{service}:client") from None
            return self._clients[service]


def _known_regions(session: boto3.Session) -> set[str]:
    regions: set[str] = set()
    for partition in ("aws", "aws-cn", "aws-us-gov"):
        regions.update(session.get_available_regions("ecs", partition_name=partition))
    return regions
