"""Turn botocore exceptions into shipit errors that say what happened and what to do next."""

from __future__ import annotations

import re

from shipit.errors import (
    AccessDenied,
    AwsError,
    CredentialsMissing,
    RegionProblem,
    ResourceNotFound,
    ShipitError,
)

_NOT_FOUND_CODES = {
    "ClusterNotFoundException",
    "ServiceNotFoundException",
    "RepositoryNotFoundException",
    "ImageNotFoundException",
    "NoSuchHostedZone",
    "TargetGroupNotFound",
    "LoadBalancerNotFound",
    "DBInstanceNotFound",
    "DBInstanceNotFoundFault",
    "ResourceNotFoundException",
    "NoSuchEntity",
    "InvalidGroup.NotFound",
    "ParameterNotFound",
}
_DENIED_CODES = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
    "SignatureDoesNotMatch",
}
_ACTION = re.compile(r"perform: (?P<action>[\w:-]+)(?: on resource: (?P<resource>\S+))?")


def translate(exc: BaseException, *, operation: str, resource: str | None = None) -> ShipitError:
    """Map any botocore/boto3 exception to the most specific shipit error, with a hint."""
    if isinstance(exc, ShipitError):
        return exc
    import botocore.exceptions as bce

    if isinstance(exc, (bce.NoCredentialsError, bce.PartialCredentialsError)):
        return CredentialsMissing(
            "no AWS credentials found",
            hint="run `aws configure` (or `aws sso login --profile NAME`), export AWS_PROFILE, or"
            " set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; in CI assume a role via OIDC",
            operation=operation,
        )
    if isinstance(exc, (bce.SSOTokenLoadError, bce.UnauthorizedSSOTokenError)):
        return CredentialsMissing(
            "the AWS SSO session has expired or was never started",
            hint="run `aws sso login --profile NAME`",
            operation=operation,
        )
    if isinstance(exc, bce.ProfileNotFound):
        return CredentialsMissing(
            str(exc), hint="check aws.profile / --profile", operation=operation
        )
    if isinstance(exc, bce.NoRegionError):
        return RegionProblem(
            "no AWS region configured",
            hint="set aws.region in shipit.toml, pass --region, or export AWS_REGION",
            operation=operation,
        )
    if isinstance(exc, bce.EndpointConnectionError):
        return AwsError(
            f"cannot reach the AWS endpoint for {operation}: {exc}",
            hint="check the region (aws.region) and network, or AWS_ENDPOINT_URL if you set one",
            operation=operation,
        )
    if isinstance(exc, bce.ClientError):
        return _from_client_error(exc, operation=operation, resource=resource)
    return AwsError(f"{operation} failed: {exc}", operation=operation)


def _from_client_error(exc: object, *, operation: str, resource: str | None) -> ShipitError:
    response = getattr(exc, "response", {}) or {}
    error = response.get("Error", {})
    code = str(error.get("Code", "Unknown"))
    message = str(error.get("Message", "")) or code
    where = f" ({resource})" if resource else ""
    if code in _DENIED_CODES:
        match = _ACTION.search(message)
        action = match.group("action") if match else operation
        target = (match.group("resource") if match else None) or resource or "the resource"
        return AccessDenied(
            f"access denied: {action} on {target}",
            hint=f"allow {action} on {target} for this identity; `shipit iam-policy` prints a"
            " least-privilege policy",
            operation=operation,
            code=code,
        )
    if code in _NOT_FOUND_CODES or code.endswith("NotFoundException") or code.endswith("NotFound"):
        return ResourceNotFound(
            f"{message}{where}",
            hint="check the name in shipit.toml and that aws.region is the region it lives in",
            operation=operation,
            code=code,
        )
    if code in {"InvalidRegion", "InvalidRegionException"}:
        return RegionProblem(message, hint="check aws.region", operation=operation, code=code)
    return AwsError(f"{operation} failed: {code}: {message}{where}", operation=operation, code=code)
