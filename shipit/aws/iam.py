"""Typed reads of IAM roles: who may assume a role, and the statements of its policies."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shipit.aws.errors import translate

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient

    from shipit.aws.session import AwsSession


@dataclass(frozen=True)
class Statement:
    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]


@dataclass(frozen=True)
class Role:
    name: str
    arn: str
    trusted_services: tuple[str, ...]
    statements: tuple[Statement, ...]
    unreadable_policies: tuple[str, ...] = ()


# AWS-managed policies known by heart, for accounts or emulators that cannot read them.
KNOWN_POLICIES: Mapping[str, tuple[Statement, ...]] = {
    "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy": (
        Statement("Allow", (
            "ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability",
            "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage",
            "logs:CreateLogStream", "logs:PutLogEvents",
        ), ("*",)),
    ),
}


def _document(raw: Any) -> Mapping[str, Any]:
    if isinstance(raw, str):
        parsed: Mapping[str, Any] = json.loads(urllib.parse.unquote(raw))
        return parsed
    return raw if isinstance(raw, Mapping) else {}


def _listed(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(str(item) for item in value) if isinstance(value, list) else ()


def statements(document: Mapping[str, Any]) -> tuple[Statement, ...]:
    raw = document.get("Statement", [])
    items = [raw] if isinstance(raw, Mapping) else raw
    return tuple(
        Statement(str(item.get("Effect", "Allow")), _listed(item.get("Action")),
                  _listed(item.get("Resource")))
        for item in items
        if isinstance(item, Mapping)
    )


def trusted_services(document: Mapping[str, Any]) -> tuple[str, ...]:
    found: list[str] = []
    raw = document.get("Statement", [])
    for item in [raw] if isinstance(raw, Mapping) else raw:
        principal = item.get("Principal", {}) if isinstance(item, Mapping) else {}
        if item.get("Effect") == "Allow" and isinstance(principal, Mapping):
            found += _listed(principal.get("Service"))
    return tuple(found)


def read_role(aws: AwsSession, arn: str) -> Role:
    """The role named by ``arn`` with every statement of its attached and inline policies."""
    iam: IAMClient = aws.client("iam")
    name = arn.rsplit("/", 1)[-1]
    try:
        raw = iam.get_role(RoleName=name)["Role"]
        attached = iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
        inline_names = iam.list_role_policies(RoleName=name)["PolicyNames"]
    except Exception as exc:
        raise translate(exc, operation="iam:GetRole", resource=name) from None
    found: list[Statement] = []
    unreadable: list[str] = []
    for policy in attached:
        policy_arn = policy.get("PolicyArn", "")
        try:
            version = iam.get_policy(PolicyArn=policy_arn)["Policy"]["DefaultVersionId"]
            document = iam.get_policy_version(PolicyArn=policy_arn, VersionId=version)
            found += statements(_document(document["PolicyVersion"].get("Document")))
        except Exception:
            if policy_arn in KNOWN_POLICIES:
                found += KNOWN_POLICIES[policy_arn]
            else:
                unreadable.append(policy_arn)
    for policy_name in inline_names:
        try:
            inline = iam.get_role_policy(RoleName=name, PolicyName=policy_name)
        except Exception as exc:
            raise translate(exc, operation="iam:GetRolePolicy", resource=policy_name) from None
        found += statements(_document(inline["PolicyDocument"]))
    return Role(
        name=name,
        arn=raw["Arn"],
        trusted_services=trusted_services(_document(raw.get("AssumeRolePolicyDocument"))),
        statements=tuple(found),
        unreadable_policies=tuple(unreadable),
    )
