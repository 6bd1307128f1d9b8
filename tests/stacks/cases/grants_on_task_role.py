"""The secret's read permission was put on the task role (what the app assumes) instead of the
execution role (what ECS uses to inject secrets): tasks stop with ResourceInitializationError."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape
from tests.stacks.webapp import build as build_web

READ_ANY_SECRET = [{"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"],
                    "Resource": "arn:aws:secretsmanager:us-east-1:123456789012:secret:*"}]


def build(c: Console) -> None:
    build_web(c, Shape("misplaced", exec_extra=[], task_role_statements=READ_ANY_SECRET))
