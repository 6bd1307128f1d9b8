"""`shipit push`: the command only parses options, calls shipit.push and renders the report."""

from __future__ import annotations

from pathlib import Path

import typer

from shipit.cli.context import get_context
from shipit.image_ref import check_tag


def register(app: typer.Typer) -> None:
    app.command("push")(push_command)


def push_command(
    ctx: typer.Context,
    tag: str | None = typer.Option(None, "--tag", help="Immutable tag (default: the git sha)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the plan; change nothing."),
    receipt: Path | None = typer.Option(
        None, "--receipt", help="Build receipt (default: .shipit/build-receipt.json)."
    ),
) -> None:
    """Push the built image to ECR (sha tag + latest) and verify it through the ECR API.

    Example: shipit --env dev push --dry-run
    """
    from shipit.push import RECEIPT_PATH, PushOptions, run
    from shipit.push.render import format_report

    app = get_context(ctx)
    if tag is not None:
        check_tag(tag)
    options = PushOptions(receipt or app.config.root / RECEIPT_PATH, tag=tag, dry_run=dry_run)
    report = run(app.settings, app.aws, options, progress=app.output)
    app.output.result(report.to_dict(),
                      human=lambda console: console.print(
                          "\n".join(format_report(report)), markup=False))
