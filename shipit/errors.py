"""The one exception tree of shipit. Each error knows its exit code and carries a hint.

    ShipitError                  (base; never raised directly)
    ├── UsageError               exit 2  bad flag combination, bad argument
    │   ├── UnknownEnvironment   exit 2  --env / SHIPIT_ENV names no [env.NAME] table
    │   └── ConfigError          exit 2  shipit.toml missing, malformed, unknown key, wrong type
    ├── EnvironmentProblem       exit 3  a tool, file, git repository or local server is missing
    │   └── RegistryUnreachable  exit 3  the image registry does not answer
    ├── AwsError                 exit 3  an AWS call failed for a reason outside shipit
    │   ├── CredentialsMissing   exit 3  no credentials in the standard chain
    │   ├── AccessDenied         exit 3  IAM refused an action on a resource
    │   ├── RegionProblem        exit 3  unknown region, or a resource in another region
    │   └── ResourceNotFound     exit 3  cluster, service, repository, zone ... does not exist
    ├── InternalError            exit 70 an unexpected exception inside shipit (a bug)
    └── Failed                   exit 1  the thing built, pushed, deployed or checked is wrong

Exit code 0 is success, 70 an unexpected internal error (a bug) and 130 an interrupt (Ctrl-C);
see docs/commands/README.md, "Exit codes".
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_ENVIRONMENT = 3
EXIT_INTERNAL = 70
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


class UnknownEnvironment(UsageError):
    """``--env`` or SHIPIT_ENV names an environment that shipit.toml does not define."""

    kind = "unknown-env"

    def __init__(
        self, env: str, *, known: list[str], source: str | None = None, hint: str | None = None
    ) -> None:
        origin = f" (from {source})" if source else ""
        listed = ", ".join(known) or "none defined"
        super().__init__(f"unknown environment {env!r}{origin}; known: {listed}", hint=hint)
        self.env = env
        self.known = list(known)
        self.source = source

    def to_dict(self) -> dict[str, object]:
        data = super().to_dict()
        data.update(env=self.env, known=self.known, source=self.source)
        return data


class ConfigProblem:
    """One located problem in a config file: ``path:line [key]: message``."""

    __slots__ = ("key", "line", "message", "path")

    def __init__(
        self, message: str, *, path: str | None, key: str | None, line: int | None
    ) -> None:
        self.message = message
        self.path = path
        self.key = key
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = self.path + (f":{self.line}" if self.line else "")
        if self.key:
            where = f"{where} [{self.key}]" if where else f"[{self.key}]"
        return f"{where}: {self.message}" if where else self.message

    def to_dict(self) -> dict[str, object]:
        return {"path": self.path, "line": self.line, "key": self.key, "message": self.message}


class ConfigError(UsageError):
    """A problem in shipit.toml, located by file, key path and (where known) line.

    ``path``/``key``/``line`` describe the first problem; ``problems`` holds every one.
    """

    kind = "config"

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        key: str | None = None,
        line: int | None = None,
        hint: str | None = None,
        more: list[ConfigProblem] | None = None,
    ) -> None:
        first = ConfigProblem(message, path=path, key=key, line=line)
        self.problems = [first, *(more or [])]
        text = str(first)
        if more:
            text = f"{len(self.problems)} problems:\n" + "\n".join(
                f"  {problem}" for problem in self.problems
            )
        super().__init__(text, hint=hint)
        self.path = path
        self.key = key
        self.line = line

    def to_dict(self) -> dict[str, object]:
        data = super().to_dict()
        data.update(
            path=self.path,
            key=self.key,
            line=self.line,
            problems=[problem.to_dict() for problem in self.problems],
        )
        return data


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
    """IAM refused ``action`` on ``resource`` (both parsed from AWS's message where possible)."""

    kind = "access-denied"

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        operation: str | None = None,
        code: str | None = None,
        action: str | None = None,
        resource: str | None = None,
        principal: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint, operation=operation, code=code)
        self.action = action
        self.resource = resource
        self.principal = principal

    def to_dict(self) -> dict[str, object]:
        data = super().to_dict()
        data.update(action=self.action, resource=self.resource, principal=self.principal)
        return data


class RegionProblem(AwsError):
    kind = "region"


class ResourceNotFound(AwsError):
    kind = "not-found"


class InternalError(ShipitError):
    """An unexpected exception inside shipit: a bug, reported with its traceback."""

    exit_code = EXIT_INTERNAL
    kind = "internal"


class Failed(ShipitError):
    """The artefact or the deployment is wrong; the details say what."""

    exit_code = EXIT_FAILED
    kind = "failed"
