"""The models of shipit.toml: value types that say what is wrong in words, one section per table,
and ``Settings``, the merged settings of one environment.

Models are strict: TOML has types, so ``desired_count = "3"`` is an error, not a coercion.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from shipit.arn import REGION_PATTERN, SECRET_ARN
from shipit.config.values import dns_name_problem, repo_path_problem
from shipit.defaults import DEFAULT_HEALTH_PATH
from shipit.oci_grammar import registry_problem, repository_problem

_VAR_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ORIGIN = re.compile(r"^https?://[^/\s*?#]+$")
_REGION = re.compile(rf"^{REGION_PATTERN}$")


# -- value types: each says what is wrong in words ----------------------------------------
def _check(pattern: re.Pattern[str], message: str) -> AfterValidator:
    def validate(value: str) -> str:
        if not pattern.match(value):
            raise ValueError(message.format(value=value))
        return value

    return AfterValidator(validate)


Platform = Annotated[
    str, _check(re.compile(r"^linux/(amd64|arm64)$"), "{value!r}: use linux/amd64 or linux/arm64")
]
Origin = Annotated[
    str,
    _check(_ORIGIN, "{value!r} is not an origin; use scheme://host[:port], no path, no '*'"),
]
VarName = Annotated[
    str, _check(_VAR_NAME, "{value!r} is not an environment variable name (A-Z, 0-9, _)")
]
SecretArn = Annotated[
    str,
    _check(
        SECRET_ARN,
        # The value is not quoted: what sits here by mistake is often the secret itself.
        "is not a Secrets Manager secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:"
        "secret:NAME) or an SSM parameter ARN (arn:aws:ssm:REGION:ACCOUNT:parameter/NAME);"
        " the value is not shown",
    ),
]
Region = Annotated[
    str, _check(_REGION, "{value!r} is not an AWS region code (e.g. us-east-1, eu-west-3)")
]
HttpUrl = Annotated[str, _check(re.compile(r"^https?://\S+$"), "{value!r}: use http(s)://host")]
Name = Annotated[
    str, _check(re.compile(r"^[A-Za-z0-9_-]{1,255}$"), "{value!r}: use letters, digits, - or _")
]


def _problem_check(problem: Any) -> AfterValidator:
    def validate(value: str) -> str:
        reason = problem(value)
        if reason:
            raise ValueError(reason)
        return value

    return AfterValidator(validate)


DnsName = Annotated[str, _problem_check(dns_name_problem)]
RegistryName = Annotated[str, _problem_check(registry_problem)]
RepositoryName = Annotated[str, _problem_check(repository_problem)]
RepoPath = Annotated[str, _problem_check(repo_path_problem)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class AwsSection(_Section):
    region: Region | None = None
    profile: str | None = None
    account_id: str | None = Field(default=None, pattern=r"^\d{12}$")
    endpoint_url: HttpUrl | None = None
    """Send every AWS call here (moto server for the sandbox). AWS_ENDPOINT_URL also works."""
    credentials_file: RepoPath | None = None
    """Static credentials for a loopback endpoint_url only (the sandbox writes its own)."""


class ImageSection(_Section):
    repository: RepositoryName | None = None
    dockerfile: RepoPath = "Dockerfile"
    """Relative to the folder of shipit.toml, and inside it (checked again, symlinks resolved,
    where the build starts)."""
    context: RepoPath = "."
    platforms: list[Platform] = Field(default_factory=lambda: ["linux/amd64", "linux/arm64"])
    registry: RegistryName | None = None
    """Registry host override, e.g. 127.0.0.1:5000; default: the ECR host of the account."""
    build_args: dict[str, str] = Field(default_factory=dict)
    builder: Literal["buildx", "buildah"] | None = None

    @field_validator("platforms")
    @classmethod
    def _platforms(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("at least one platform is needed, e.g. ['linux/amd64']")
        if len(set(value)) != len(value):
            raise ValueError("platforms must not repeat")
        return value


class EcsSection(_Section):
    cluster: Name | None = None
    service: Name | None = None
    container: Name | None = None
    desired_count: int | None = Field(default=None, ge=0, le=1000)


class RdsSection(_Section):
    instance: str | None = Field(default=None, pattern=r"^[A-Za-z][A-Za-z0-9-]{0,62}$")


class DnsSection(_Section):
    zone: DnsName | None = None
    name: DnsName | None = None

    @model_validator(mode="after")
    def _name_in_zone(self) -> DnsSection:
        if self.zone and self.name:
            zone, name = self.zone.rstrip(".").lower(), self.name.rstrip(".").lower()
            if name != zone and not name.endswith("." + zone):
                raise ValueError(f"dns.name {self.name!r} is not inside dns.zone {self.zone!r}")
        return self


class HttpSection(_Section):
    url: HttpUrl | None = None
    health_path: str = Field(default=DEFAULT_HEALTH_PATH, pattern=r"^/[^\s?#]*$")
    cors_origins: list[Origin] = Field(default_factory=list)
    cors_variable: str = Field(default="CORS_ALLOWED_ORIGINS",
                               pattern=r"^([A-Za-z_][A-Za-z0-9_]*)?$")
    """The task variable the service reads its origins from; "" when it configures CORS itself
    (shipit then writes no variable, and doctor judges CORS by the live preflight alone)."""


class WebSection(_Section):
    """The static frontend: an S3 bucket with website hosting (`shipit web deploy`)."""

    bucket: str | None = Field(
        default=None, pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"
    )
    """S3 bucket name; with web.name it must equal that name (S3 website alias rule)."""
    folder: RepoPath = "sample_frontend"
    """The page's files, relative to the folder of shipit.toml; uploaded as they are."""
    name: str | None = None
    """The frontend's DNS record (alias to the S3 website endpoint); inside dns.zone."""
    origin: Origin | None = None
    """The page's origin as browsers send it; default http://web.name, else the website
    endpoint (http://BUCKET.s3-website-REGION.amazonaws.com)."""
    asset_max_age: int = Field(default=31_536_000, ge=0, le=31_536_000)
    """Cache-Control max-age of assets other than index.html and config.js (no-cache)."""


class Settings(_Section):
    """The merged settings of one environment (or of the base when none is selected)."""

    aws: AwsSection = Field(default_factory=AwsSection)
    image: ImageSection = Field(default_factory=ImageSection)
    ecs: EcsSection = Field(default_factory=EcsSection)
    rds: RdsSection = Field(default_factory=RdsSection)
    dns: DnsSection = Field(default_factory=DnsSection)
    http: HttpSection = Field(default_factory=HttpSection)
    web: WebSection = Field(default_factory=WebSection)
    vars: dict[VarName, str] = Field(default_factory=dict)
    secrets: dict[VarName, SecretArn] = Field(default_factory=dict)
    # A name in both vars and secrets is refused by Config (it knows the files and lines).

    @model_validator(mode="after")
    def _web_record(self) -> Settings:
        web, zone = self.web, self.dns.zone
        if web.name and zone:
            name, zone = web.name.rstrip(".").lower(), zone.rstrip(".").lower()
            if name != zone and not name.endswith("." + zone):
                raise ValueError(f"web.name {web.name!r} is not inside dns.zone {self.dns.zone!r}")
        if web.name and web.bucket and web.bucket != web.name.rstrip(".").lower():
            raise ValueError(
                f"web.bucket {web.bucket!r} must equal web.name {web.name!r}: Route53 can alias a"
                " name only to the S3 website bucket of the same name"
            )
        return self
