"""secrets.plaintext: nothing password-, secret- or token-like sits in the plain environment."""

from __future__ import annotations

from shipit.doctor.facts import Snapshot
from shipit.doctor.finding import Verdict, failed, passed
from shipit.redact import secret_reason

# One judgement of what is secret, shared with every output path (shipit.redact).
looks_secret = secret_reason


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
