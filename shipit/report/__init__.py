"""shipit report: the week's acceptance checklist as a document, from evidence gathered now.

    report = build(config, env, aws, ReportOptions(root))  # gather (read-only + one e2e run)
    render_markdown(report) / render_html(report) / render_json(report)

``report.ok`` is False when a deliverable is not met; ``report.not_met`` names them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from shipit.report.model import Deliverable, Report, ReportOptions
from shipit.report.render import render_html, render_json, render_markdown

if TYPE_CHECKING:
    from shipit.aws.session import AwsSession
    from shipit.config import Config
    from shipit.doctor.probe import Prober

__all__ = ["Deliverable", "Report", "ReportOptions", "build", "render_html", "render_json",
           "render_markdown"]


def build(config: Config, env: str | None, aws: AwsSession, options: ReportOptions, *,
          probe: Prober | None = None) -> Report:
    """Gather the evidence for ``env`` now and judge every deliverable; never raises for a
    failed read (that deliverable is ``unknown``, with why). Doctor's shape (the Config and
    the environment's name): the report holds doctor's findings."""
    from shipit.report.evidence import gather_evidence
    from shipit.report.judge import judge

    evidence = gather_evidence(config, env, aws, options, probe=probe)
    return Report(env=env, region=aws.region,
                  generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
                  deliverables=judge(evidence))
