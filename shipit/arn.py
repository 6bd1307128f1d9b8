"""ARNs, regions and secret references: the one grammar for each.

A region code is ``xx-name-N`` (``us-east-1``, ``us-gov-west-1``). An ARN is
``arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`` in any partition (``aws``, ``aws-cn``,
``aws-us-gov``, ``aws-iso``...). A container secret's ``valueFrom`` is a Secrets Manager ARN
(optionally followed by ``:json-key:version-stage:version-id``), an SSM parameter ARN, or, for a
parameter in the task's own region and account, the parameter's bare name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

REGION_PATTERN = r"[a-z]{2}(?:-[a-z]+)+-\d{1,2}"
"""A region code, for use inside a larger pattern (the ECR host grammar uses it)."""
_REGION = re.compile(rf"^{REGION_PATTERN}$")
_ARN = re.compile(
    r"^arn:(?P<partition>aws(?:-[a-z]+)*):(?P<service>[a-z0-9-]+):(?P<region>[a-z0-9-]*)"
    r":(?P<account>\d{12}|aws|)?:(?P<resource>.+)$"
)
SECRET_ARN = re.compile(
    rf"^arn:aws(?:-[a-z]+)*:(?:secretsmanager:{REGION_PATTERN}:\d{{12}}:secret:.+"
    rf"|ssm:{REGION_PATTERN}:\d{{12}}:parameter/.+)$"
)
"""What shipit.toml's ``secrets`` accept: a Secrets Manager or SSM parameter ARN."""

SecretKind = Literal["secretsmanager", "ssm"]


def is_region(value: str) -> bool:
    """Whether ``value`` has the shape of a region code (not whether AWS has that region)."""
    return bool(_REGION.match(value))


def partition_of(region: str) -> str:
    """The partition of a region: ``aws-cn`` for China, ``aws-us-gov`` for GovCloud."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __str__(self) -> str:
        return ":".join(("arn", self.partition, self.service, self.region, self.account,
                         self.resource))


def parse_arn(text: str) -> Arn | None:
    """The parts of an ARN, or None when ``text`` is not one."""
    match = _ARN.match(text)
    if not match:
        return None
    return Arn(match["partition"], match["service"], match["region"], match["account"] or "",
               match["resource"])


def account_of(arn: str) -> str | None:
    """The account of an ARN (``arn:aws:iam::123456789012:role/x`` -> ``123456789012``)."""
    parsed = parse_arn(arn)
    return parsed.account if parsed and parsed.account.isdigit() else None


@dataclass(frozen=True)
class SecretSource:
    """A container secret's ``valueFrom``, understood."""

    kind: SecretKind
    source: str
    """The ``valueFrom`` as written."""
    arn: str | None
    """The secret's or parameter's own ARN (no JSON key or version); None for a bare SSM name."""
    name: str
    """The secret's name (with its random suffix, if the ARN has one) or the parameter's name."""
    region: str | None
    account: str | None
    json_key: str = ""
    version_stage: str = ""
    version_id: str = ""

    @property
    def action(self) -> str:
        """The IAM action that reads it at task start."""
        return "ssm:GetParameters" if self.kind == "ssm" else "secretsmanager:GetSecretValue"

    def in_region(self, region: str, account: str | None = None) -> str:
        """The parameter's or secret's ARN, a bare SSM name resolved in ``region``."""
        if self.arn:
            return self.arn
        name = self.name.lstrip("/")
        return f"arn:{partition_of(region)}:ssm:{region}:{account or '*'}:parameter/{name}"


def parse_secret_source(source: str) -> SecretSource:
    """``valueFrom`` of a container secret: Secrets Manager ARN (with JSON key, stage, version
    id), SSM parameter ARN, or a bare SSM parameter name (ECS accepts it in the same region)."""
    arn = parse_arn(source)
    if arn is None:
        return SecretSource("ssm", source, None, source, None, None)
    if arn.service == "secretsmanager" and arn.resource.startswith("secret:"):
        parts = arn.resource.split(":")
        name = parts[1] if len(parts) > 1 else ""
        extra = [*parts[2:], "", "", ""]
        own = str(Arn(arn.partition, arn.service, arn.region, arn.account, f"secret:{name}"))
        return SecretSource("secretsmanager", source, own, name, arn.region or None,
                         arn.account or None, extra[0], extra[1], extra[2])
    name = arn.resource.removeprefix("parameter")
    # parameter/db is "db"; parameter/app/db is the hierarchical "/app/db"
    name = name if name.count("/") > 1 else name.lstrip("/")
    return SecretSource("ssm", source, source, name, arn.region or None, arn.account or None)
