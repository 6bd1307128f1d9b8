"""The report as Markdown, as one self-contained HTML file (inline CSS, images as data: URIs,
no script, no external asset), and as JSON. Pure functions: Report in, text out."""

from __future__ import annotations

import base64
import html
import json

from shipit.report.model import Deliverable, Report

MARK = {"met": "✓ met", "not met": "✗ not met", "unknown": "? unknown"}
"""Marks every font has (an emoji font is not a given in a headless browser)."""


def render_markdown(report: Report) -> str:
    lines = [f"# Acceptance report: {report.env or 'base'} ({report.region})", "",
             f"Evidence gathered {report.generated_at} by `shipit report`.", "",
             "| deliverable | verdict | why |", "|---|---|---|"]
    lines += [f"| {d.title} | {MARK[d.verdict]} | {_cell(d.why)} |" for d in report.deliverables]
    lines.append("")
    for d in report.deliverables:
        lines += [f"## {d.title}: {MARK[d.verdict]}", "", d.why, ""]
        lines += [f"- {_inline(p)}" for p in d.proof]
        if d.table:
            lines += ["", "| " + " | ".join(d.table[0]) + " |",
                      "|" + "---|" * len(d.table[0])]
            lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in d.table[1:]]
        for image in d.images:
            lines += ["", f"Screenshot: `.shipit/e2e/{image.name}` (inlined in the HTML report)"]
        lines.append("")
    summary = ("every deliverable is met" if report.ok else
               "not met: " + ", ".join(d.title for d in report.not_met))
    lines.append(f"**Summary:** {summary}.")
    return "\n".join(lines) + "\n"


def render_json(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2)


CSS = """
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:64rem;
color:#1d232b;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}.when{color:#5b6773;margin-top:0}
table{border-collapse:collapse;width:100%;margin:.6rem 0 1rem}
th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #e3e7eb;vertical-align:top}
th{background:#f4f6f8;font-weight:600}
.v{font-weight:600;white-space:nowrap}.met{color:#17713a}.not-met{color:#b42318}
.unknown{color:#8a6100}
section{border:1px solid #e3e7eb;border-radius:8px;padding:.2rem 1.2rem 1rem;margin:1.2rem 0}
section.s-not-met{border-color:#f0b4ae;background:#fff8f7}
section h2{font-size:1.15rem}ul{padding-left:1.2rem}li{margin:.15rem 0}
code,td.m{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.85em;
word-break:break-all}
img{max-width:100%;border:1px solid #e3e7eb;border-radius:6px}
.summary{font-weight:600;padding:.6rem 1rem;border-radius:6px;background:#eef7f1}
.summary.bad{background:#fdeceb}
"""


def render_html(report: Report) -> str:
    """One file that opens anywhere: no script, no link, no request of any kind."""
    rows = "".join(
        f"<tr><td><a href='#{d.id}'>{_e(d.title)}</a></td>"
        f"<td class='v {_cls(d)}'>{MARK[d.verdict]}</td><td>{_e(d.why)}</td></tr>"
        for d in report.deliverables)
    sections = "".join(_section(d) for d in report.deliverables)
    summary = ("Every deliverable is met." if report.ok else
               "Not met: " + ", ".join(d.title for d in report.not_met) + ".")
    title = f"Acceptance report: {report.env or 'base'} ({report.region})"
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none';"
        " img-src data:; style-src 'unsafe-inline'\">"
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>"
        f"<h1>{_e(title)}</h1><p class='when'>Evidence gathered {_e(report.generated_at)}"
        " by <code>shipit report</code>.</p>"
        f"<p class='summary{'' if report.ok else ' bad'}'>{_e(summary)}</p>"
        "<table><tr><th>deliverable</th><th>verdict</th><th>why</th></tr>"
        f"{rows}</table>{sections}</body></html>\n"
    )


def _section(d: Deliverable) -> str:
    proof = "".join(f"<li class='m'><code>{_e(p)}</code></li>" for p in d.proof)
    table = ""
    if d.table:
        head = "".join(f"<th>{_e(c)}</th>" for c in d.table[0])
        body = "".join("<tr>" + "".join(f"<td class='m'>{_e(c)}</td>" for c in row) + "</tr>"
                       for row in d.table[1:])
        table = f"<table><tr>{head}</tr>{body}</table>"
    images = "".join(
        f"<figure><img alt='{_e(i.name)}' src='data:{i.media_type};base64,"
        f"{base64.b64encode(i.data).decode()}'><figcaption>{_e(i.name)}</figcaption></figure>"
        for i in d.images)
    return (f"<section id='{d.id}' class='s-{_cls(d)}'><h2>{_e(d.title)}:"
            f" <span class='v {_cls(d)}'>{MARK[d.verdict]}</span></h2><p>{_e(d.why)}</p>"
            f"<ul>{proof}</ul>{table}{images}</section>")


def _cls(d: Deliverable) -> str:
    return d.verdict.replace(" ", "-")


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _inline(text: str) -> str:
    return f"`{text}`" if "`" not in text else text
