"""Check that the secrets an environment references exist, without ever reading a value.

Secrets Manager: DescribeSecret (metadata only). SSM: DescribeParameters filtered by name
(GetParameter would return the value). Each ARN is looked up in its own region.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from shipit.aws.errors import translate
from shipit.errors import ResourceNotFound

if TYPE_CHECKING:
    from shipit.aws.session import AwsSession


@dataclass(frozen=True)
class SecretRef:
    name: str
    arn: str
    service: str
    region: str
    found: bool

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def secret_resource(value_from: str, *, region: str, account: str = "*") -> str:
    """The ARN IAM judges for an ECS ``valueFrom``: a Secrets Manager reference loses its
    ``:json-key:version-stage:version-id`` tail; a bare name is an SSM parameter of the task's
    region (ECS accepts both).

        arn:aws:secretsmanager:r:1:secret:db-AbCdEf:password::  -> arn:...:secret:db-AbCdEf
        app-token  -> arn:aws:ssm:r:*:parameter/app-token
    """
    if not value_from.startswith("arn:"):
        return f"arn:aws:ssm:{region}:{account}:parameter/{value_from.lstrip('/')}"
    parts = value_from.split(":")
    if len(parts) > 7 and parts[2] == "secretsmanager":
        return ":".join(parts[:7])
    return value_from


def parse_secret_arn(arn: str, region: str = "") -> tuple[str, str, str]:
    """``(service, region, id)``: id is the secret's ARN (without a JSON key or version tail)
    for Secrets Manager, the name for SSM; a bare name is an SSM parameter in ``region``."""
    if not arn.startswith("arn:"):
        return "ssm", region, arn if arn.count("/") > 1 else arn.lstrip("/")
    parts = arn.split(":", 5)
    service, where, resource = parts[2], parts[3], parts[5]
    if service == "ssm":
        name = resource.removeprefix("parameter")
        # parameter/db is "db"; parameter/app/db is the hierarchical "/app/db"
        return service, where, name if name.count("/") > 1 else name.lstrip("/")
    return service, where, secret_resource(arn, region=where)


def check_secrets(aws: AwsSession, secrets: Mapping[str, str]) -> list[SecretRef]:
    """Look up every secret; missing ones are ``found=False``, other AWS errors raise."""
    refs: list[SecretRef] = []
    for name, arn in secrets.items():
        service, region, ident = parse_secret_arn(arn, aws.region)
        client = aws.client(service, region=region)
        operation = (
            "secretsmanager:DescribeSecret" if service == "secretsmanager"
            else "ssm:DescribeParameters"
        )  # fmt: skip
        try:
            if service == "secretsmanager":
                client.describe_secret(SecretId=ident)
                found = True
            else:
                answer = client.describe_parameters(
                    ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": [ident]}]
                )
                found = bool(answer.get("Parameters"))
        except Exception as exc:
            error = translate(exc, operation=operation, resource=arn)
            if not isinstance(error, ResourceNotFound):
                raise error from None
            found = False
        refs.append(SecretRef(name, arn, service, region, found))
    return refs
