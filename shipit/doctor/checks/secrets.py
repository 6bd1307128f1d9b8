"""secrets.plaintext: nothing password-, secret- or token-like sits in the plain environment."""

from __future__ import annotations

import re

from shipit.doctor.facts import Snapshot
from shipit.doctor.finding import Verdict, failed, passed

_SECRET_NAME = re.compile(
    r"PASSW(OR)?D|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL", re.I
)
_URL_PASSWORD = re.compile(r"^[a-z][a-z0-9+.-]*://[^/:@\s]+:[^/@\s]+@", re.I)
_AWS_KEY_ID = re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b")
_PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")


def looks_secret(name: str, value: str) -> str | None:
    """Why this variable looks like a secret (never quoting the value), or None."""
    if not value:
        return None
    if _SECRET_NAME.search(name):
        return "its name says it is a secret"
    if _URL_PASSWORD.match(value):
        return "its URL carries a password"
    if _AWS_KEY_ID.search(value):
        return "it holds an AWS access key id"
    if _PRIVATE_KEY.search(value):
        return "it holds a private key"
    return None


def plaintext(s: Snapshot) -> Verdict:
    task = s.task_definition.need()
    found = [
        f"{container.name}: {name} ({why})"
        for container in task.containers
        for name, value in container.environment
        if (why := looks_secret(name, value)) is not None
    ]
    if found:
        return failed(
            f"{len(found)} secret-looking value(s) in plain environment",
            "; ".join(found) + f". Anyone who can read {task.family}:{task.revision} sees them.",
            "store each in Secrets Manager (aws secretsmanager create-secret --name NAME"
            " --secret-string ...), list its ARN under [env.NAME.secrets] in shipit.toml and"
            " run `shipit deploy`: it becomes an ECS `secrets` entry",
        )
    injected = sum(len(c.secrets) for c in task.containers)
    return passed(f"no secrets in plain environment ({injected} injected as ECS secrets)")
