"""`shipit report`: the week's acceptance checklist, each deliverable with its proof."""

from __future__ import annotations

from pathlib import Path

import typer

from shipit.cli.context import get_context
from shipit.cli.options import EnvOption, JsonOption

HELP = """Build the acceptance report from evidence gathered now: per deliverable a verdict
(met / not met / unknown) and its proof.

Reads AWS (read-only), probes the URL and DNS names, runs the e2e path once (one article,
created and deleted). Markdown on stdout, or --output FILE; --html FILE writes one
self-contained page. Exit 1 names each deliverable that is not met.

Example: shipit --env sandbox report --html report.html --output report.md
"""


def report(
    ctx: typer.Context,
    output_path: Path | None = typer.Option(None, "--output", "-o", metavar="FILE",
                                            help="Write the Markdown here instead of stdout."),
    html_path: Path | None = typer.Option(None, "--html", metavar="FILE",
                                          help="Also write a self-contained HTML file."),
    no_e2e: bool = typer.Option(False, "--no-e2e",
                                help="Do not run the e2e path (its deliverable is unknown)."),
    env: EnvOption = None,
    json_output: JsonOption = False,
) -> None:
    from shipit.errors import Failed
    from shipit.report import ReportOptions, build, render_html, render_markdown

    app = get_context(ctx, env=env, json_output=json_output)
    options = ReportOptions(app.config.root, run_e2e=not no_e2e)
    result = build(app.config, app.env, app.aws, options)
    if html_path is not None:
        _write(html_path, render_html(result))
        app.output.info(f"HTML report: {html_path}")
    markdown = render_markdown(result)
    if output_path is not None:
        _write(output_path, markdown)
        app.output.info(f"Markdown report: {output_path}")
    if app.output.json_mode:
        app.output.write_json(result.to_dict())
    elif output_path is None:
        typer.echo(markdown, nl=False)
    if not result.ok:
        names = ", ".join(f"{d.id} ({d.why})" for d in result.not_met)
        raise Failed(f"not met: {names}",
                     hint="each section of the report shows the proof; `shipit doctor` the fix")


def _write(path: Path, text: str) -> None:
    from shipit.errors import UsageError

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}",
                         hint="choose a writable path") from None


def register(app: typer.Typer) -> None:
    app.command("report", help=HELP)(report)
