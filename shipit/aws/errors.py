"""Turn botocore exceptions into shipit errors that say what happened and what to do next.

``translate(exc, operation="ecs:DescribeServices", resource=...)`` returns the most specific
shipit error; ``translated(...)`` is the same as a context manager. ``operation`` is best given
as the IAM action (``service:Operation``): it is the fallback when AWS's message names none.
AccessDenied messages are parsed (``parse_denial``) for the principal, the action, the
resource and why it was refused, so the hint can say exactly which permission is missing.
"""

from __future__ import annotations

import contextlib
import html
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from shipit.arn import parse_arn
from shipit.errors import (
    AccessDenied,
    AwsError,
    CredentialsMissing,
    RegionProblem,
    ResourceNotFound,
    ShipitError,
)

CONFIGURE_HINT = (
    "configure credentials: `aws configure` (static keys), `aws configure sso` then"
    " `aws sso login --profile NAME` (SSO), or a profile with role_arn + source_profile"
    " (assume-role); select it with --profile, AWS_PROFILE or aws.profile. In CI, export"
    " AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or assume a role via OIDC"
)
REGION_HINT = "set aws.region in shipit.toml, pass --region, or export AWS_REGION"
POLICY_HINT = "`shipit iam-policy` prints a least-privilege policy for shipit's commands"

_NOT_FOUND_CODES = frozenset(
    {
        "ClusterNotFoundException", "ServiceNotFoundException", "RepositoryNotFoundException",
        "ImageNotFoundException", "NoSuchHostedZone", "TargetGroupNotFound",
        "LoadBalancerNotFound", "DBInstanceNotFound", "DBInstanceNotFoundFault",
        "ResourceNotFoundException", "NoSuchEntity", "InvalidGroup.NotFound",
        "ParameterNotFound", "LogGroupNotFound",
    }
)  # fmt: skip
_NOT_FOUND_SUFFIXES = ("NotFoundException", "NotFound", "NotFoundFault")
_DENIED_CODES = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "Forbidden",
     "AuthorizationError", "UnauthorizedAccess"}
)  # fmt: skip
_BAD_CREDENTIAL_CODES = frozenset(
    {"UnrecognizedClientException", "InvalidClientTokenId", "InvalidAccessKeyId",
     "AuthFailure", "IncompleteSignature", "MissingAuthenticationToken"}
)  # fmt: skip
_EXPIRED_CODES = frozenset({"ExpiredToken", "ExpiredTokenException", "TokenRefreshRequired"})
_CLOCK_CODES = frozenset({"SignatureDoesNotMatch", "RequestExpired", "RequestTimeTooSkewed"})
_THROTTLE_CODES = frozenset(
    {"Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded"}
)
_REGION_CODES = frozenset({"InvalidRegion", "InvalidRegionException", "InvalidEndpoint"})

_DENIAL = re.compile(
    r"(?:User|Principal):\s*(?P<principal>\S+)\s+is not authorized to"
    r"(?:\s+perform:\s*(?P<action>[\w-]+:[\w*-]+)|\s+access this resource)"
    r"(?:\s+on (?:resource:\s*(?P<resource>.+?)|the resource[^.]*?))?"
    r"(?:\s+(?P<reason>because no .+?|with an explicit deny in .+?))?\.?\s*$",
    re.DOTALL,
)
_XML_CODE = re.compile(r"<Code>([^<]*)</Code>")
_XML_MESSAGE = re.compile(r"<Message>([^<]*)</Message>", re.DOTALL)
_ENCODED = re.compile(r"Encoded authorization failure message:\s*(?P<blob>\S+)")


@dataclass(frozen=True)
class Denial:
    """What an AccessDenied message says: who, which action, on what, and why."""

    principal: str | None
    action: str | None
    resource: str | None
    reason: str | None


def parse_denial(message: str) -> Denial:
    """Read AWS's AccessDenied message formats; unknown parts are None."""
    match = _DENIAL.search(message.strip())
    if not match:
        return Denial(None, None, None, None)
    resource = match["resource"]
    return Denial(
        principal=match["principal"],
        action=match["action"],
        resource=resource.rstrip(".") if resource else None,
        reason=match["reason"],
    )


def translate(exc: BaseException, *, operation: str, resource: str | None = None) -> ShipitError:
    """Map any botocore/boto3 exception to the most specific shipit error, with a hint."""
    if isinstance(exc, ShipitError):
        return exc
    import botocore.exceptions as bce

    if isinstance(exc, bce.NoCredentialsError | bce.PartialCredentialsError):
        return CredentialsMissing(
            "no AWS credentials found", hint=CONFIGURE_HINT, operation=operation
        )
    if isinstance(
        exc, bce.SSOTokenLoadError | bce.UnauthorizedSSOTokenError | bce.TokenRetrievalError
    ):
        return CredentialsMissing(
            f"the AWS SSO session has expired or was never started: {exc}",
            hint="run `aws sso login --profile NAME` (the profile in use), then retry",
            operation=operation,
        )
    if isinstance(exc, bce.ProfileNotFound):
        return CredentialsMissing(
            str(exc),
            hint="list profiles with `aws configure list-profiles`; fix --profile, AWS_PROFILE"
            " or aws.profile",
            operation=operation,
        )
    if isinstance(exc, bce.CredentialRetrievalError | bce.InvalidConfigError):
        return CredentialsMissing(
            f"could not load AWS credentials: {exc}",
            hint="check the profile's role_arn/source_profile or credential_process",
            operation=operation,
        )
    if isinstance(exc, bce.NoRegionError):
        return RegionProblem("no AWS region configured", hint=REGION_HINT, operation=operation)
    if isinstance(exc, bce.EndpointConnectionError | bce.ConnectTimeoutError):
        return AwsError(
            f"cannot reach the AWS endpoint for {operation}: {exc}",
            hint="check the network, the region (aws.region) and AWS_ENDPOINT_URL* if set",
            operation=operation,
        )
    if isinstance(exc, bce.ClientError):
        return _from_client_error(exc, operation=operation, resource=resource)
    return AwsError(f"{operation} failed: {exc}", operation=operation)


@contextlib.contextmanager
def translated(*, operation: str, resource: str | None = None) -> Iterator[None]:
    """``with translated(operation="sts:GetCallerIdentity"): client.get_caller_identity()``."""
    try:
        yield
    except ShipitError:
        raise
    except Exception as exc:
        raise translate(exc, operation=operation, resource=resource) from None


def error_fields(response: Mapping[str, Any]) -> tuple[str, str]:
    """``(code, message)`` of a botocore error response.

    Some endpoints (moto for JSON APIs, proxies) answer with an XML error document that
    botocore leaves unparsed (code "403", the XML as message): read Code/Message from it.
    """
    error = response.get("Error", {}) or {}
    code = str(error.get("Code", "") or "Unknown")
    message = str(error.get("Message", "") or "")
    if "<Code>" in message:
        xml_code = _XML_CODE.search(message)
        xml_message = _XML_MESSAGE.search(message)
        code = html.unescape(xml_code[1]) if xml_code else code
        message = html.unescape(xml_message[1]) if xml_message else message
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if code in {"403", "Unknown"} and status == 403:
        code = "AccessDenied"
    return code, message or code


def _from_client_error(exc: object, *, operation: str, resource: str | None) -> ShipitError:
    code, message = error_fields(getattr(exc, "response", {}) or {})
    where = f" ({resource})" if resource else ""
    if code in _DENIED_CODES:
        return _access_denied(code, message, operation=operation, resource=resource)
    if code in _BAD_CREDENTIAL_CODES:
        return CredentialsMissing(
            f"AWS rejected the credentials ({code}: {message})",
            hint="the access key is wrong, deleted, or not valid in this region (an opt-in"
            " region must be enabled for the account); " + CONFIGURE_HINT,
            operation=operation,
            code=code,
        )
    if code in _EXPIRED_CODES:
        return CredentialsMissing(
            f"the AWS credentials have expired ({code})",
            hint="refresh them: `aws sso login --profile NAME`, or assume the role again",
            operation=operation,
            code=code,
        )
    if code in _CLOCK_CODES:
        return CredentialsMissing(
            f"AWS rejected the request signature ({code}: {message})",
            hint="check the secret key, and that this machine's clock is right (NTP)",
            operation=operation,
            code=code,
        )
    if code in _REGION_CODES:
        return RegionProblem(
            f"{message}{where}", hint=REGION_HINT, operation=operation, code=code
        )
    if code in _NOT_FOUND_CODES or code.endswith(_NOT_FOUND_SUFFIXES):
        return ResourceNotFound(
            f"{message}{where}",
            hint="check the name in shipit.toml and that aws.region is the region it lives in",
            operation=operation,
            code=code,
        )
    if code in _THROTTLE_CODES:
        return AwsError(
            f"{operation} was throttled by AWS ({code})",
            hint="retry in a minute; other tools may be calling the same API",
            operation=operation,
            code=code,
        )
    return AwsError(f"{operation} failed: {code}: {message}{where}", operation=operation, code=code)


def _access_denied(
    code: str, message: str, *, operation: str, resource: str | None
) -> AccessDenied:
    denial = parse_denial(message)
    action = denial.action or operation
    target = denial.resource or resource or "*"
    who = f" for {_short_principal(denial.principal)}" if denial.principal else ""
    hint = f"allow {action} on {target}{who}: {POLICY_HINT}"
    reason = denial.reason or ""
    if "explicit deny" in reason:
        where = reason.removeprefix("with an explicit deny in ")
        hint = f"an explicit Deny in {where} blocks {action}; remove or narrow that statement"
        if "service control policy" in reason or "resource control policy" in reason:
            hint += " (ask your AWS Organization's administrators)"
    elif "permissions boundary" in reason:
        hint = f"the permissions boundary{who} does not allow {action}; extend the boundary"
    elif "resource-based policy" in reason:
        hint = f"the policy on {target} itself does not allow {action}{who}; extend it"
    elif "session policy" in reason:
        hint = f"the session policy passed when assuming the role does not allow {action}"
    encoded = _ENCODED.search(message)
    if encoded:
        hint += (
            "; decode the details with `aws sts decode-authorization-message"
            " --encoded-message <the message>`"
        )
    return AccessDenied(
        f"access denied: {action} on {target}{who}",
        hint=hint,
        operation=operation,
        code=code,
        action=action,
        resource=target,
        principal=denial.principal,
    )


def _short_principal(arn: str) -> str:
    """``arn:aws:sts::1:assumed-role/Deploy/ci`` -> ``role Deploy``; users and roles likewise."""
    parsed = parse_arn(arn)
    resource = parsed.resource if parsed else arn
    kind, _, rest = resource.partition("/")
    if kind == "assumed-role" and rest:
        return f"role {rest.split('/')[0]}"
    if kind in ("role", "user") and rest:
        return f"{kind} {rest.rsplit('/', 1)[-1]}"
    return arn
