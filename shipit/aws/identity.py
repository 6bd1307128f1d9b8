"""Who and where shipit calls AWS as: sts:GetCallerIdentity plus the resolved session settings."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from shipit.aws.errors import translated

if TYPE_CHECKING:
    from shipit.aws.session import AwsSession


@dataclass(frozen=True)
class Identity:
    account: str
    arn: str
    user_id: str
    region: str
    region_source: str
    profile: str | None
    profile_source: str | None
    endpoint: str
    credentials: str | None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def caller_identity(aws: AwsSession) -> Identity:
    """Call sts:GetCallerIdentity (allowed for every identity) through the configured session."""
    sts = aws.client("sts")
    with translated(operation="sts:GetCallerIdentity"):
        answer = sts.get_caller_identity()
    return Identity(
        account=str(answer["Account"]),
        arn=str(answer["Arn"]),
        user_id=str(answer["UserId"]),
        region=aws.region,
        region_source=aws.region_source,
        profile=aws.target.profile,
        profile_source=aws.target.profile_source,
        endpoint=str(sts.meta.endpoint_url),
        credentials=aws.credentials_method(),
    )


def format_identity(identity: Identity) -> str:
    """Aligned ``label  value`` lines for people."""
    profile = identity.profile or "(none: default chain)"
    if identity.profile and identity.profile_source:
        profile += f" (from {identity.profile_source})"
    rows = [
        ("account", identity.account),
        ("identity", identity.arn),
        ("user id", identity.user_id),
        ("region", f"{identity.region} (from {identity.region_source})"),
        ("profile", profile),
        ("credentials", identity.credentials or "unknown"),
        ("endpoint", f"{identity.endpoint} (sts)"),
    ]
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label:<{width}}  {value}" for label, value in rows)
