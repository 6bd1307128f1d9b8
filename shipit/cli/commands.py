"""Where every command module is registered: one line per module in MODULES.

Each module defines ``register(app: typer.Typer) -> None`` that adds its commands (or a
sub-app). Keep module imports cheap: no AWS SDK (nor other heavy libraries) at top level, so that
``shipit --help`` stays fast; tests/core/test_startup.py checks it.
"""

from __future__ import annotations

import importlib

import typer

MODULES: list[str] = [
    "shipit.cli.config_cmd",
    "shipit.cli.build",
    "shipit.cli.whoami",
    "shipit.cli.sandbox",
    "shipit.cli.deploy",
    "shipit.cli.status",
    "shipit.cli.logs",
    "shipit.cli.probe",
    "shipit.cli.rollback",
    "shipit.cli.push",
    "shipit.cli.doctor",
    "shipit.cli.dns",
    "shipit.cli.e2e",
    "shipit.cli.web",
    "shipit.cli.iam_policy",
    "shipit.cli.report",
    "shipit.cli.init",
    "shipit.cli.export",
    "shipit.cli.demo",
]

HELP_ORDER: tuple[str, ...] = (
    "build", "push", "deploy", "dns", "web", "doctor", "e2e", "status", "logs", "probe",
    "rollback", "report", "demo", "sandbox", "init", "export", "iam-policy", "config", "whoami",
)
"""The order of ``shipit --help``: the week's work, first step first. A command not named here is
listed after these, in registration order."""

_registered: set[int] = set()


def help_position(name: str) -> int:
    """Where ``name`` goes in ``shipit --help`` (unknown names after every known one)."""
    return HELP_ORDER.index(name) if name in HELP_ORDER else len(HELP_ORDER)


def register(app: typer.Typer) -> None:
    """Add every command to ``app`` once (re-registering would duplicate the commands)."""
    if id(app) in _registered:
        return
    _registered.add(id(app))
    for name in MODULES:
        importlib.import_module(name).register(app)
