"""`shipit deploy`: a new task-definition revision with the image, then follow the rollout."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from shipit.cli.context import get_context
from shipit.cli.options import EnvOption, JsonOption
from shipit.image_ref import check_tag, parse_image

if TYPE_CHECKING:
    from shipit.cli.context import AppContext


def register(app: typer.Typer) -> None:
    app.command("deploy")(deploy)


def deploy(
    ctx: typer.Context,
    image: str | None = typer.Option(None, "--image", help="Image reference (tag or digest)."),
    tag: str | None = typer.Option(None, "--tag", help="A tag of image.repository in ECR."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the diff; change nothing."),
    no_wait: bool = typer.Option(False, "--no-wait", help="Start the deployment, do not wait."),
    timeout: str = typer.Option("15m", "--timeout", help="Give up waiting after this long."),
    rollback_on_failure: bool = typer.Option(
        False, "--rollback-on-failure", help="On failure put the previous revision back."
    ),
    force: bool = typer.Option(
        False, "--force", help="Deploy even while another rolls out, or roll the running "
        "revision again when nothing changed (ECS forceNewDeployment)."),
    interval: float | None = typer.Option(None, "--interval", help="Seconds between polls."),
    env: EnvOption = None,
    json_output: JsonOption = False,
) -> None:
    """Deploy an image: register a revision (image by digest, vars, secrets) and wait for it.

    The image comes from --image, --tag, or the build receipt (.shipit/build-receipt.json).
    Exit 1 when the deployment fails, is rolled back, or times out. When the service already
    runs this image (same digest) with the same configuration, nothing is registered or started:
    outcome "unchanged", exit 0.

    Example: shipit --env staging deploy --tag 1a2b3c4 --rollback-on-failure
    """
    import time

    from shipit.deploy.receipt import save
    from shipit.deploy.render import print_receipt, progress_for
    from shipit.deploy.run import DeployOptions, run
    from shipit.deploy.wait import parse_duration
    from shipit.errors import Failed

    app = get_context(ctx, env=env, json_output=json_output)
    if tag is not None:
        check_tag(tag)  # dry runs too: a tag ECR would refuse is refused here, exit 2
    if image is not None:
        parse_image(image)
    options = DeployOptions(
        app.config.root, env=app.env, image=image, tag=tag, dry_run=dry_run, wait=not no_wait,
        timeout=parse_duration(timeout), interval=interval,
        rollback_on_failure=rollback_on_failure, force=force,
    )
    note_sandbox(app)
    receipt = run(app.settings, app.aws, options, progress=progress_for(app.output),
                  clock=time.monotonic, sleep=time.sleep)
    if not dry_run:
        save(app.config.root, receipt, app.output.redactor)
    app.output.result(receipt.to_dict(), human=lambda console: print_receipt(console, receipt))
    if not receipt.ok:
        raise Failed(f"deploy {receipt.outcome}: {receipt.message}", hint=receipt.hint)
    app.output.success(receipt.message)


def note_sandbox(app: AppContext) -> None:
    """When a local stand-in (the sandbox) serves the endpoint, say how it runs tasks."""
    from shipit import local_stand_in

    line = local_stand_in.note(app.config.root, app.settings.aws.endpoint_url)
    if line is not None:
        app.output.info(line)
