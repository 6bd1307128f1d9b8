"""The human form of a push report (the JSON form is ``PushReport.to_dict``). Pure."""

from __future__ import annotations

from shipit.push.steps import PushReport, report_layers

_STATUS = {
    "pushed": "pushed and verified in ECR",
    "unchanged": "already in ECR with this digest: nothing pushed (no-op)",
    "planned": "dry run: would push",
}


def format_report(report: PushReport) -> list[str]:
    platforms = ", ".join(report.platforms or []) or "unknown"
    lines = [
        f"image       {report.ref}",
        f"status      {_STATUS.get(report.status, report.status)}",
        f"digest      {report.digest or 'unknown (the receipt has none)'}",
        f"platforms   {platforms}",
        f"latest      {report.latest}",
        *([f"layers      {report_layers(report)}"] if report.layers_total is not None else []),
        f"repository  {report.repository} ({report.repository_status})",
    ]
    lines += [f"warning     {w}" for w in report.warnings]
    lines += [f"note        {n}" for n in report.notes]
    return lines
