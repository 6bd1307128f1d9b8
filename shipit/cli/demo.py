"""`shipit demo`: the README's main job, sandbox up to sandbox down, with a summary table."""

from __future__ import annotations

import typer

from shipit.cli.context import get_context
from shipit.cli.options import JsonOption


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_command)


def demo_command(
    ctx: typer.Context,
    keep: bool = typer.Option(False, "--keep", help="Leave the sandbox running afterwards."),
    builder: str = typer.Option(
        "auto", "--builder", metavar="auto|buildah|buildx|none",
        help="Image builder (auto: buildx, else buildah; none: deploy from source).",
    ),
    json_output: JsonOption = False,
) -> None:
    """Run the whole job on a local sandbox: build, push, deploy, dns, doctor, e2e.

    No AWS account needed. Exit 1 names the step that failed; the sandbox is always stopped
    (unless --keep).

    Example: shipit demo --keep
    """
    from shipit.demo import DemoOptions, run_demo
    from shipit.demo.base_image import BUILDERS
    from shipit.demo.render import print_report
    from shipit.demo.report import save_report
    from shipit.errors import Failed, UsageError

    if builder not in BUILDERS:
        raise UsageError(f"--builder {builder!r} is not one of {', '.join(BUILDERS)}")
    app = get_context(ctx, json_output=json_output)
    options = DemoOptions(config_path=app.config.path, keep=keep, builder=builder)
    report = run_demo(options, output=app.output)
    saved = save_report(app.config.root, report)
    app.output.info(f"report: {saved}")
    app.output.result(report.to_dict(), human=lambda console: print_report(console, report))
    if app.output.json_mode and report.next_commands:
        app.output.info("the sandbox is still running (--keep): " + "; ".join(report.next_commands))
    failed = report.failed_step
    if failed is not None:
        raise Failed(f"demo failed at step {failed.step}: {failed.detail}", hint=failed.hint)
