"""The report's pure judgements, table-tested over hand-made evidence."""

from __future__ import annotations

from typing import Any

import pytest

from shipit.aws.logs import LogEvent
from shipit.deploy.receipt import DeployReceipt
from shipit.doctor.facts import Fact, LogGroup, Snapshot
from shipit.doctor.finding import Finding, Status
from shipit.e2e import E2eReport, Step
from shipit.report import judge
from shipit.report.evidence import Evidence
from shipit.report.model import Report
from shipit.report.render import render_html, render_markdown


def evidence(findings: dict[str, tuple[Status, str]] | None = None, **extra: Any) -> Evidence:
    snapshot = Snapshot(env="t", region="us-east-1", dns_name=extra.pop("dns_name", None),
                        log_group=extra.pop("log_group", Fact.unset("no group")))
    made = {k: Finding(k, status, summary) for k, (status, summary) in (findings or {}).items()}
    return Evidence(snapshot, made, **extra)


GROUP = Fact.ok(LogGroup("/ecs/x", 30))


@pytest.mark.parametrize(("fn", "e", "verdict", "why"), [
    (judge.entry, evidence({"http.health": ("pass", "/api/health answers 200")}), "met",
     "answers 200"),
    (judge.entry, evidence({"http.health": (
        "fail", "https://x does not answer, but the ALB does: a DNS problem")}), "met",
     "the ALB answers"),
    (judge.entry, evidence({"http.health": ("fail", "does not answer through the name or the"
                                                    " ALB")}), "not met", "does not answer"),
    (judge.dns, evidence({"dns.alias": ("fail", "no alias")}, dns_name="api.x"), "not met",
     "no alias"),
    (judge.dns, evidence({"dns.alias": ("skip", "no dns.name")}), "unknown", "no dns.name"),
    (judge.logs, evidence({"ecs.logs": ("pass", "ok")}, log_group=GROUP, logs=[]), "not met",
     "holds no lines"),
    (judge.logs, evidence({"ecs.logs": ("pass", "ok")}, log_group=GROUP,
                          logs=[LogEvent(0, "started", "s")]), "met", "1 recent line"),
    (judge.logs, evidence({}, log_group=GROUP, problems={"logs": "AccessDenied"}), "unknown",
     "AccessDenied"),
    (judge.e2e, evidence(e2e=E2eReport("http://x", "m", [Step("health", True, 0.01, "ok"),
                                                          Step("create", False, 0.02, "500")])),
     "not met", "step create failed"),
    (judge.e2e, evidence(), "unknown", "no http.url"),
    (judge.starts, evidence(deploy_receipt=DeployReceipt("c", "s", "failed", revision=2, failure={
        "title": "exec format error: the image is not for linux/amd64"})), "not met",
     "exec format error"),
    (judge.ecr, evidence(), "unknown", "no running image"),
])
def test_verdicts(fn: judge.Judge, e: Evidence, verdict: str, why: str) -> None:
    found = fn(e)
    assert found.verdict == verdict
    assert why in found.why


def test_renderings_name_what_is_not_met_and_the_html_has_no_external_reference() -> None:
    deliverables = judge.judge(evidence({"dns.alias": ("fail", "no alias")}, dns_name="a.b"))
    report = Report("t", "us-east-1", "now", deliverables)
    assert [d.id for d in report.not_met] == ["dns"]
    markdown = render_markdown(report)
    assert "**Summary:** not met: Route53 name aliases the ALB." in markdown
    html = render_html(report)
    for external in ("http://", "https://", "<script", "<link", "url("):
        assert external not in html
