"""The one exception tree of shipit. Each error knows its exit code and carries a hint.

    ShipitError                  (base; never raised directly)
    ├── UsageError               exit 2  bad flag combination, unknown environment, bad argument
    │   └── ConfigError          exit 2  shipit.toml missing, malformed, unknown key, wrong type
    ├── EnvironmentProblem       exit 3  a tool, file, git repository or local server is missing
    │   └── RegistryUnreachable  exit 3  the image registry does not answer
    ├── AwsError                 exit 3  an AWS call failed for a reason outside shipit
    │   ├── CredentialsMissing   exit 3  no credentials in the standard chain
    │   ├── AccessDenied         exit 3  IAM refused an action on a resource
    │   ├── RegionProblem        exit 3  unknown region, or a resource in another region
    │   └── ResourceNotFound     exit 3  cluster, service, repository, zone ... does not exist
    └── Failed                   exit 1  the thing built, pushed, deployed or checked is wrong

Exit code 0 is success and 130 is an interrupt (Ctrl-C); see README "Exit codes".
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_ENVIRONMENT = 3
EXIT_INTERRUPTED = 130


class ShipitError(Exception):
    """Base class: a message for people, a hint for the next step, and an exit code."""

    exit_code: int = EXIT_FAILED
    kind: str = "error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def to_dict(self) -> dict[str, object]:
        """The machine-readable form used in --json output."""
        return {
            "kind": self.kind,
            "message": self.message,
            "hint": self.hint,
            "exit_code": self.exit_code,
        }


class UsageError(ShipitError):
    exit_code = EXIT_USAGE
    kind = "usage"


class ConfigError(UsageError):
    """A problem in shipit.toml, located by file, key path and (where known) line."""

    kind = "config"

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        key: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        where = ""
        if path:
            where = path + (f":{line}" if line else "")
        if key:
            where = f"{where} [{key}]" if where else f"[{key}]"
        super().__init__(f"{where}: {message}" if where else message, hint=hint)
        self.path = path
        self.key = key
        self.line = line


class EnvironmentProblem(ShipitError):
    exit_code = EXIT_ENVIRONMENT
    kind = "environment"


class RegistryUnreachable(EnvironmentProblem):
    kind = "registry"


class AwsError(ShipitError):
    exit_code = EXIT_ENVIRONMENT
    kind = "aws"

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        operation: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.operation = operation
        self.code = code

    def to_dict(self) -> dict[str, object]:
        data = super().to_dict()
        data["operation"] = self.operation
        data["aws_code"] = self.code
        return data


class CredentialsMissing(AwsError):
    kind = "credentials"


class AccessDenied(AwsError):
    kind = "access-denied"


class RegionProblem(AwsError):
    kind = "region"


class ResourceNotFound(AwsError):
    kind = "not-found"


class Failed(ShipitError):
    """The artefact or the deployment is wrong; the details say what."""

    exit_code = EXIT_FAILED
    kind = "failed"
