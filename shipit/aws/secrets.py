"""Check that the secrets an environment references exist, without ever reading a value.

Secrets Manager: DescribeSecret (metadata only). SSM: DescribeParameters filtered by name
(GetParameter would return the value). Each ARN is looked up in its own region.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from shipit.arn import parse_secret_source
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


def check_secrets(aws: AwsSession, secrets: Mapping[str, str]) -> list[SecretRef]:
    """Look up every secret; missing ones are ``found=False``, other AWS errors raise."""
    refs: list[SecretRef] = []
    for name, arn in secrets.items():
        source = parse_secret_source(arn)
        region = source.region or aws.region
        try:
            if source.kind == "secretsmanager":
                operation = "secretsmanager:DescribeSecret"
                # a JSON key, version stage or id after the secret's ARN is not part of its id
                aws.client("secretsmanager", region=region).describe_secret(
                    SecretId=source.arn or arn)
                found = True
            else:
                operation = "ssm:DescribeParameters"
                answer = aws.client("ssm", region=region).describe_parameters(
                    ParameterFilters=[{"Key": "Name", "Option": "Equals",
                                       "Values": [source.name]}]
                )
                found = bool(answer.get("Parameters"))
        except Exception as exc:
            error = translate(exc, operation=operation, resource=arn)
            if not isinstance(error, ResourceNotFound):
                raise error from None
            found = False
        service = source.kind
        refs.append(SecretRef(name, arn, service, region, found))
    return refs
