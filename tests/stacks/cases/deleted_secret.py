"""The task references a secret that was deleted (force, no recovery window)."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape
from tests.stacks.webapp import build as build_web


def build(c: Console) -> None:
    built = build_web(c, Shape("orphan", rds=False))
    c.client("secretsmanager").delete_secret(SecretId=built.secret_arns[0],
                                             ForceDeleteWithoutRecovery=True)
