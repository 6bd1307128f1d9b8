"""`shipit rollback`: put the previous (or a given) revision back, and wait for it."""

from __future__ import annotations

import typer

from shipit.cli.context import get_context
from shipit.cli.options import EnvOption, JsonOption


def register(app: typer.Typer) -> None:
    app.command("rollback")(rollback)


def rollback(
    ctx: typer.Context,
    to: int | None = typer.Option(None, "--to", help="Revision number (default: previous)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Say what would happen; no change."),
    no_wait: bool = typer.Option(False, "--no-wait", help="Start the deployment, do not wait."),
    timeout: str = typer.Option("15m", "--timeout", help="Give up waiting after this long."),
    interval: float | None = typer.Option(None, "--interval", help="Seconds between polls."),
    env: EnvOption = None,
    json_output: JsonOption = False,
) -> None:
    """Roll the service back to the previous revision (or --to N) and wait like a deploy.

    Example: shipit --env prod rollback --to 41
    """
    import time

    from shipit.deploy.render import print_receipt, progress_for
    from shipit.deploy.rollback import RollbackOptions, run
    from shipit.deploy.wait import parse_duration
    from shipit.errors import Failed

    app = get_context(ctx, env=env, json_output=json_output)
    options = RollbackOptions(app.config.root, env=app.env, to=to, dry_run=dry_run,
                              wait=not no_wait, timeout=parse_duration(timeout),
                              interval=interval)
    receipt = run(app.settings, app.aws, options, progress=progress_for(app.output),
                  clock=time.monotonic, sleep=time.sleep)
    app.output.result(receipt.to_dict(), human=lambda console: print_receipt(console, receipt))
    if not receipt.ok:
        raise Failed(f"rollback {receipt.outcome}: {receipt.message}", hint=receipt.hint)
    app.output.success(receipt.message)
