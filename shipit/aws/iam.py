"""Typed reads of IAM roles: who may assume a role, and the statements of its policies."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
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


def _attached_statements(
    iam: IAMClient, policy_arn: str
) -> tuple[tuple[Statement, ...] | None, str]:
    """An attached policy's statements (its default version's), None when it cannot be read
    and is not known by heart."""
    try:
        version = iam.get_policy(PolicyArn=policy_arn)["Policy"]["DefaultVersionId"]
        document = iam.get_policy_version(PolicyArn=policy_arn, VersionId=version)
        return statements(_document(document["PolicyVersion"].get("Document"))), policy_arn
    except Exception:
        return KNOWN_POLICIES.get(policy_arn), policy_arn


def read_role(aws: AwsSession, arn: str) -> Role:
    """The role named by ``arn`` with every statement of its attached and inline policies.

    The reads that do not depend on each other run at once: the role and its two policy lists,
    then every policy (its default version, then that version's document) and every inline
    policy; three round trips deep instead of 3 + 2 x attached + inline one after another.
    """
    iam: IAMClient = aws.client("iam")
    name = arn.rsplit("/", 1)[-1]
    with ThreadPoolExecutor(max_workers=8, thread_name_prefix="iam") as pool:
        role = pool.submit(lambda: iam.get_role(RoleName=name)["Role"])
        listed = pool.submit(
            lambda: iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"])
        named = pool.submit(lambda: iam.list_role_policies(RoleName=name)["PolicyNames"])
        try:
            raw = role.result()
            attached = listed.result()
            inline_names = named.result()
        except Exception as exc:
            raise translate(exc, operation="iam:GetRole", resource=name) from None
        policies = [pool.submit(_attached_statements, iam, policy.get("PolicyArn", ""))
                    for policy in attached]
        inline = [(policy_name, pool.submit(iam.get_role_policy, RoleName=name,
                                            PolicyName=policy_name))
                  for policy_name in inline_names]
        found: list[Statement] = []
        unreadable: list[str] = []
        for policy in policies:
            read, policy_arn = policy.result()
            if read is None:
                unreadable.append(policy_arn)
            else:
                found += read
        for policy_name, answer in inline:
            try:
                document = answer.result()["PolicyDocument"]
            except Exception as exc:
                raise translate(exc, operation="iam:GetRolePolicy", resource=policy_name) from None
            found += statements(_document(document))
    return Role(
        name=name,
        arn=raw["Arn"],
        trusted_services=trusted_services(_document(raw.get("AssumeRolePolicyDocument"))),
        statements=tuple(found),
        unreadable_policies=tuple(unreadable),
    )
