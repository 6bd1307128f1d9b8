"""One botocore session per run: standard credential chain, profiles, SSO and assume-role.

Precedence (most specific first; documented in docs/configuration.md, "AWS access"):

- region: ``--region``, ``aws.region``, AWS_REGION, AWS_DEFAULT_REGION, the profile's region.
  The config beats the shell because the resources of an environment live in one region.
- profile: ``--profile``, AWS_PROFILE, ``aws.profile``; ``aws.profile`` is skipped when static
  credentials are in the environment (AWS_ACCESS_KEY_ID: CI), since a profile would hide them.
- endpoint: AWS_ENDPOINT_URL_<SERVICE>, ``aws.endpoint_url``, AWS_ENDPOINT_URL, the profile's
  ``endpoint_url``. boto3 resolves the environment variables itself when no endpoint is passed.

SSO and assume-role come from the profile (``sso_session``, ``role_arn`` + ``source_profile``):
boto3's credential chain handles them; their failures become CredentialsMissing with a hint.

A loopback ``aws.endpoint_url`` (the sandbox's moto server) signs with ``aws.credentials_file``
(the sandbox's random keys, which its environment file names); without one, and with no profile
and no keys in the environment, with fixed placeholder credentials. Real AWS endpoints never do:
they always go through the standard chain.
"""

from __future__ import annotations

import difflib
import functools
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

from shipit.arn import is_region
from shipit.aws.errors import translate
from shipit.aws.local_credentials import LocalCredentials, read_local_credentials
from shipit.errors import RegionProblem
from shipit.net import is_loopback_url

if TYPE_CHECKING:
    import botocore.session
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_ecr import ECRClient
    from mypy_boto3_ecs import ECSClient
    from mypy_boto3_elbv2 import ElasticLoadBalancingv2Client
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_logs import CloudWatchLogsClient
    from mypy_boto3_rds import RDSClient
    from mypy_boto3_route53 import Route53Client
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_ssm import SSMClient
    from mypy_boto3_sts import STSClient

SANDBOX_CREDENTIALS = ("shipit-sandbox", "shipit-sandbox")
_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class AwsTarget:
    """Where and as whom to call AWS, and where each choice came from (for `whoami`)."""

    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    region_source: str | None = None
    profile_source: str | None = None
    credentials_file: Path | None = None
    """aws.credentials_file, resolved: static keys for a loopback endpoint (the sandbox's)."""


def resolve_target(
    *,
    region_option: str | None = None,
    profile_option: str | None = None,
    config_region: str | None = None,
    config_profile: str | None = None,
    config_endpoint: str | None = None,
    credentials_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> AwsTarget:
    """Apply the precedence rules above; unset values are left to boto3 (profile, defaults)."""
    env = os.environ if environ is None else environ
    region, region_source = _first(
        ("--region", region_option),
        ("aws.region", config_region),
        ("AWS_REGION", env.get("AWS_REGION")),
        ("AWS_DEFAULT_REGION", env.get("AWS_DEFAULT_REGION")),
    )
    static_keys = bool(env.get("AWS_ACCESS_KEY_ID"))
    profile, profile_source = _first(
        ("--profile", profile_option),
        ("AWS_PROFILE", env.get("AWS_PROFILE")),
        ("aws.profile", None if static_keys else config_profile),
    )
    return AwsTarget(
        region=region,
        profile=profile,
        endpoint_url=config_endpoint or None,
        region_source=region_source,
        profile_source=profile_source,
        credentials_file=credentials_file,
    )


def _first(*candidates: tuple[str, str | None]) -> tuple[str | None, str | None]:
    for source, value in candidates:
        if value:
            return value, source
    return None, None


class AwsSession:
    """Builds and caches botocore clients; translates session-level errors into shipit errors."""

    def __init__(
        self,
        target: AwsTarget,
        *,
        session: botocore.session.Session | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.target = target
        self._session = session
        self._environ = os.environ if environ is None else environ
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    @property
    def session(self) -> botocore.session.Session:
        if self._session is None:
            import botocore.session

            from shipit.aws.model_cache import CachedLoader

            local = self.local_credentials
            placeholder = local is None and self.uses_placeholder_credentials
            keys: tuple[str | None, str | None] = (
                (local.access_key_id, local.secret_access_key) if local is not None
                else SANDBOX_CREDENTIALS if placeholder else (None, None))
            try:
                # botocore's own session, as boto3.Session builds it (boto3 adds only resources
                # and S3 transfers, which shipit does not use, and costs ~0.1 s to import).
                session = botocore.session.get_session()
                profile = None if local is not None else self.target.profile or None
                if profile:
                    session.set_config_variable("profile", profile)
                if keys[0] and keys[1]:
                    session.set_credentials(keys[0], keys[1])
                if self.target.region:
                    session.set_config_variable("region", self.target.region)
                CachedLoader.install(session)
            except Exception as exc:  # ProfileNotFound, bad config files ...
                raise translate(exc, operation="configure the AWS session") from None
            self._session = session
        return self._session

    @property
    def local_credentials(self) -> LocalCredentials | None:
        """The sandbox's own keys: aws.credentials_file, for a loopback endpoint only (real
        AWS endpoints always use the standard chain; the sandbox accepts nothing else)."""
        if self.target.credentials_file is None or not is_loopback_url(self.target.endpoint_url):
            return None
        return read_local_credentials(self.target.credentials_file)

    @property
    def uses_placeholder_credentials(self) -> bool:
        """True for a loopback endpoint (the sandbox) when nothing names real credentials."""
        return (
            is_loopback_url(self.target.endpoint_url)
            and not self.target.profile
            and not self._environ.get("AWS_ACCESS_KEY_ID")
        )

    @property
    def region(self) -> str:
        """The region every client uses; unknown or missing regions are a RegionProblem."""
        region: str | None = self.session.get_config_variable("region")
        if not region:
            raise RegionProblem(
                "no AWS region configured",
                hint="set aws.region in shipit.toml, pass --region, or export AWS_REGION",
            )
        check_region(region, source=self.target.region_source)
        return region

    @property
    def endpoint_url(self) -> str | None:
        """The endpoint of every service when one is set for all (aws.endpoint_url, else
        AWS_ENDPOINT_URL); None for AWS's own endpoints."""
        return self.target.endpoint_url or self._environ.get("AWS_ENDPOINT_URL") or None

    @property
    def region_source(self) -> str:
        return self.target.region_source or "the AWS profile"

    # One overload per service shipit calls: a literal name gives the boto3-stubs client type.
    @overload
    def client(self, service: Literal["ec2"], *, region: str | None = None) -> EC2Client: ...
    @overload
    def client(self, service: Literal["ecr"], *, region: str | None = None) -> ECRClient: ...
    @overload
    def client(self, service: Literal["ecs"], *, region: str | None = None) -> ECSClient: ...
    @overload
    def client(self, service: Literal["elbv2"], *, region: str | None = None
               ) -> ElasticLoadBalancingv2Client: ...
    @overload
    def client(self, service: Literal["iam"], *, region: str | None = None) -> IAMClient: ...
    @overload
    def client(self, service: Literal["logs"], *, region: str | None = None
               ) -> CloudWatchLogsClient: ...
    @overload
    def client(self, service: Literal["rds"], *, region: str | None = None) -> RDSClient: ...
    @overload
    def client(self, service: Literal["route53"], *, region: str | None = None
               ) -> Route53Client: ...
    @overload
    def client(self, service: Literal["s3"], *, region: str | None = None) -> S3Client: ...
    @overload
    def client(self, service: Literal["secretsmanager"], *, region: str | None = None
               ) -> SecretsManagerClient: ...
    @overload
    def client(self, service: Literal["ssm"], *, region: str | None = None) -> SSMClient: ...
    @overload
    def client(self, service: Literal["sts"], *, region: str | None = None) -> STSClient: ...
    @overload
    def client(self, service: str, *, region: str | None = None) -> Any: ...

    def client(self, service: str, *, region: str | None = None) -> Any:
        """A cached botocore client for ``service``, typed by boto3-stubs for a literal name.

        ``region`` reaches a resource in another region (a secret's ARN); default: ``region``.
        """
        if region is not None:
            check_region(region, source="an ARN")
        with self._lock:
            key = f"{service}@{region}" if region else service
            if key not in self._clients:
                from botocore.config import Config as BotoConfig

                config = BotoConfig(
                    retries={"max_attempts": 4, "mode": "standard"},
                    connect_timeout=5,
                    read_timeout=30,
                    user_agent_extra="shipit",
                )
                try:
                    self._clients[key] = self.session.create_client(
                        service,
                        region_name=region or self.region,
                        endpoint_url=self.endpoint_override(service),
                        config=config,
                    )
                except RegionProblem:
                    raise
                except Exception as exc:  # botocore raises many types here
                    raise translate(exc, operation=f"create the {service} client") from None
            return self._clients[key]

    def endpoint_override(self, service: str) -> str | None:
        """``aws.endpoint_url`` unless AWS_ENDPOINT_URL_<SERVICE> names this service's endpoint.

        None lets boto3 resolve the endpoint itself (environment, profile, or AWS's own).
        """
        if not self.target.endpoint_url:
            return None
        ignore = self._environ.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").lower() in _TRUE
        if not ignore and self._environ.get(service_endpoint_variable(service)):
            return None
        return self.target.endpoint_url

    def credentials_method(self) -> str | None:
        """How boto3 found credentials ("env", "sso", "assume-role" ...), or None if it did not."""
        try:
            credentials = self.session.get_credentials()
        except Exception as exc:  # SSO token expired, assume-role refused ...
            raise translate(exc, operation="load AWS credentials") from None
        return None if credentials is None else str(credentials.method)


def service_endpoint_variable(service: str) -> str:
    """The per-service endpoint variable boto3 reads, e.g. elbv2 -> AWS_ENDPOINT_URL_ELASTIC_..."""
    from botocore import utils

    name = utils.SERVICE_NAME_ALIASES.get(service, service)
    service_id = utils.CLIENT_NAME_TO_HYPHENIZED_SERVICE_ID_OVERRIDES.get(name, name)
    return "AWS_ENDPOINT_URL_" + service_id.replace("-", "_").upper()


def check_region(region: str, *, source: str | None = None) -> None:
    """Raise RegionProblem unless ``region`` is a region this botocore knows."""
    known = known_regions()
    if region in known:
        return
    origin = f" (from {source})" if source else ""
    close = difflib.get_close_matches(region, sorted(known), n=1, cutoff=0.8)
    if close:
        hint = f"did you mean {close[0]!r}? fix {source or 'the region setting'}"
    elif is_region(region):
        hint = "a region newer than this botocore? upgrade boto3, or check the spelling"
    else:
        hint = "use a region code such as us-east-1 or eu-west-1"
    raise RegionProblem(f"unknown AWS region {region!r}{origin}", hint=hint)


@functools.cache
def known_regions() -> frozenset[str]:
    """Every region of every partition in botocore's endpoint data (no network)."""
    from botocore.loaders import create_loader

    from shipit.aws.model_cache import CachedLoader

    # One read of botocore's endpoint data (through the cache): asking per service would load
    # each service's model.
    loader = CachedLoader.replacing(create_loader(os.environ.get("AWS_DATA_PATH")))
    return frozenset(loader.regions())

