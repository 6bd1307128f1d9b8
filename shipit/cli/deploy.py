"""`shipit deploy`: a new task-definition revision with the image, then follow the rollout."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from shipit.cli.context import get_context
from shipit.cli.options import EnvOption, JsonOption

if TYPE_CHECKING:
    from rich.console import Console

    from shipit.cli.context import AppContext
    from shipit.deploy.receipt import DeployReceipt


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
    force: bool = typer.Option(False, "--force", help="Deploy even while another rolls out."),
    interval: float | None = typer.Option(None, "--interval", help="Seconds between polls."),
    env: EnvOption = None,
    json_output: JsonOption = False,
) -> None:
    """Deploy an image: register a revision (image by digest, vars, secrets) and wait for it.

    The image comes from --image, --tag, or the build receipt (.shipit/build-receipt.json).
    Exit 1 when the deployment fails, is rolled back, or times out.

    Example: shipit --env staging deploy --tag 1a2b3c4 --rollback-on-failure
    """
    import time

    from shipit.deploy.receipt import save
    from shipit.deploy.render import progress_for
    from shipit.deploy.run import DeployRequest
    from shipit.deploy.run import deploy as run_deploy
    from shipit.deploy.wait import parse_duration
    from shipit.errors import Failed

    app = get_context(ctx, env=env, json_output=json_output)
    settings = app.settings
    cluster, service, container = require_service(app)
    request = DeployRequest(
        cluster=cluster, service=service, container=container,
        variables=dict(settings.vars), secrets=dict(settings.secrets),
        repository=settings.image.repository,
        receipt_path=app.config.root / ".shipit" / "build-receipt.json",
        image=image, tag=tag, dry_run=dry_run, wait=not no_wait,
        timeout=parse_duration(timeout), interval=interval or default_interval(app),
        rollback_on_failure=rollback_on_failure, force=force,
    )
    note_sandbox(app)
    receipt = run_deploy(app.aws, request, progress=progress_for(app.output),
                         clock=time.monotonic, sleep=time.sleep)
    if not dry_run:
        save(app.config.root, receipt)
    app.output.result(receipt.to_dict(), human=lambda console: print_receipt(console, receipt))
    if not receipt.ok:
        raise Failed(f"deploy {receipt.outcome}: {receipt.message}",
                     hint=failure_hint(receipt))
    app.output.success(receipt.message)


def failure_hint(receipt: DeployReceipt) -> str | None:
    hint = (receipt.failure or {}).get("hint")
    return str(hint) if hint else None


def require_service(app: AppContext) -> tuple[str, str, str]:
    from shipit.errors import UsageError

    ecs = app.settings.ecs
    missing = [k for k, v in (("cluster", ecs.cluster), ("service", ecs.service),
                              ("container", ecs.container)) if not v]
    if missing:
        where = f"[env.{app.env}]" if app.env else "the base of shipit.toml"
        raise UsageError(f"ecs.{', ecs.'.join(missing)} not set for {where}",
                         hint="set them in shipit.toml, or pick an environment with --env")
    assert ecs.cluster and ecs.service and ecs.container  # noqa: PT018
    return ecs.cluster, ecs.service, ecs.container


def default_interval(app: AppContext) -> float:
    """Poll fast on a loopback endpoint (the sandbox), at ECS's pace otherwise."""
    endpoint = app.settings.aws.endpoint_url or ""
    return 0.25 if "127.0.0.1" in endpoint or "localhost" in endpoint else 5.0


def note_sandbox(app: AppContext) -> None:
    from shipit.sandbox.control import running_state, sandbox_paths
    from shipit.sandbox.task_process import runtime_note

    endpoint = app.settings.aws.endpoint_url
    state = running_state(sandbox_paths(app.config.root)) if endpoint else None
    if state is not None and state.endpoint_url == endpoint:
        app.output.info(f"sandbox: {runtime_note(state.runtime, state.runtime_reason)}")


def print_receipt(console: Console, receipt: DeployReceipt) -> None:
    def line(text: str) -> None:
        console.print(text, markup=False, highlight=False)

    line(f"service      {receipt.cluster}/{receipt.service}")
    line(f"image        {receipt.image}  (from {receipt.image_source})")
    if receipt.outcome == "dry-run":
        line("task definition changes (current -> next revision):")
        for change in receipt.task_definition_diff or ["(no change but a new revision)"]:
            line(f"  {change}")
        line("service update:")
        line(f"  ~ taskDefinition: {receipt.previous_task_definition} ->"
             f" {receipt.service_update.get('taskDefinition')}")
        return
    line(f"revision     {receipt.revision}  ({receipt.task_definition})")
    line(f"deployment   {receipt.deployment_id}")
    line(f"outcome      {receipt.outcome}: {receipt.message}")
    if receipt.failure:
        line(f"reason       {receipt.failure['kind']}: {receipt.failure['title']}")
        line(f"  ecs says   {receipt.failure['reason']}")
        line(f"  fix        {receipt.failure['hint']}")
    if receipt.last_log_lines:
        line("last log lines of the stopped task:")
        for text in receipt.last_log_lines[-12:]:
            line(f"  | {text}")
    if receipt.rolled_back_to:
        line(f"rolled back  {receipt.rolled_back_to}")
    timings = "  ".join(f"{k} {v:.2f}s" for k, v in receipt.timings.items())
    line(f"timings      {timings}")
