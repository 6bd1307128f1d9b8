"""Where every command module is registered. One line per module; keep imports cheap."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add every command to ``app`` (command modules must not import boto3 at top level)."""
    del app
