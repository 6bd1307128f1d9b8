"""`shipit probe`: can the service's tasks reach their database and AWS? Asked from inside."""

from __future__ import annotations

import typer

from shipit.cli.context import get_context
from shipit.cli.options import EnvOption, JsonOption


def register(app: typer.Typer) -> None:
    app.command("probe")(probe)


def probe(
    ctx: typer.Context,
    url: list[str] = typer.Option([], "--url", help="Also GET this URL from inside (repeat)."),
    timeout: float = typer.Option(300.0, "--timeout", help="Give up after this many seconds."),
    env: EnvOption = None,
    json_output: JsonOption = False,
) -> None:
    """Run a one-off task (the service's task definition, subnets, security groups) that tests
    DNS, TCP, the database login and SELECT 1, ECR, S3, CloudWatch Logs and any --url.

    One line per target (ok, or the step that failed and why); exit 1 on any failure.

    Example: shipit --env sandbox probe --url https://example.com/
    """
    from shipit.deploy.probe import ProbeOptions, check_probe_url, run
    from shipit.deploy.probe_render import print_probe
    from shipit.errors import Failed

    app = get_context(ctx, env=env, json_output=json_output)
    for each in url:
        check_probe_url(each)
    options = ProbeOptions(env=app.env, urls=tuple(url), timeout=timeout)
    report = run(app.settings, app.aws, options, progress=app.output.step)
    app.output.result(report.to_dict(), human=lambda console: print_probe(console, report))
    if not report.ok:
        failed = [r.target for r in report.results if not r.ok]
        what = ", ".join(failed) if failed else (
            f"the probe task did not report (exit {report.exit_code}:"
            f" {report.stopped_reason or 'no reason'})")
        raise Failed(f"probe failed: {what}",
                     hint=f"`shipit logs --task {report.task_id}` shows the probe's own lines;"
                     " `shipit doctor` names the blocking security group, route or ACL")
