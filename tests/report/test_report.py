"""`shipit report` on a real sandbox: every deliverable met with its proof after a healthy
deploy; the right one not met (exit 1, named) after a broken DNS record or a failed deploy;
the HTML opens in headless Chromium with the network off and asks for nothing.

The tests that leave the service healthy share one sandbox (``box``: the Route53 record and the
screenshots put back after each); the failed deploy has a sandbox of its own."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.sandbox import Sandbox

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
DELIVERABLES = ["image", "ecr", "starts", "service", "database", "logs", "entry", "dns", "e2e"]


def verdicts(document: dict[str, Any]) -> dict[str, str]:
    return {d["id"]: d["verdict"] for d in document["deliverables"]}


def by_id(document: dict[str, Any], name: str) -> dict[str, Any]:
    return next(d for d in document["deliverables"] if d["id"] == name)


@pytest.fixture
def box(shared_sandbox: Sandbox) -> Iterator[Sandbox]:
    """The module's sandbox, healthy; its Route53 record and screenshots put back after."""
    try:
        yield shared_sandbox
    finally:
        shutil.rmtree(shared_sandbox.root / ".shipit" / "e2e", ignore_errors=True)
        assert shared_sandbox.cli("dns").exit_code == 0


def test_after_a_healthy_deploy_every_deliverable_is_met_with_its_proof(box: Sandbox) -> None:
    sandbox = box
    revision = len(sandbox.revisions()) + 1
    digest = sandbox.put_image("healthy")
    deployed = sandbox.cli("deploy", "--tag", "healthy")
    assert deployed.exit_code == 0, deployed.stderr
    assert sandbox.cli("dns").exit_code == 0
    html = sandbox.root / "out" / "report.html"
    markdown = sandbox.root / "out" / "report.md"

    result = sandbox.cli("--json", "report", "--html", str(html), "--output", str(markdown))

    assert result.exit_code == 0, result.stderr
    document = result.json()
    assert document["ok"] is True
    assert list(verdicts(document)) == DELIVERABLES
    assert set(verdicts(document).values()) == {"met"}, verdicts(document)
    image_proof = by_id(document, "image")["proof"]
    assert any(digest in line and "linux/arm64" in line for line in image_proof)
    assert any("pull check" in line and digest in line for line in by_id(document, "ecr")["proof"])
    assert any("1/1 running" in line for line in by_id(document, "service")["proof"])
    assert any(f"last deploy: success, revision {revision}" in line
               for line in by_id(document, "starts")["proof"])
    assert "pulls back the running digest" in by_id(document, "ecr")["why"]
    assert "healthy" in by_id(document, "ecr")["why"]
    assert any("db=ok" in line for line in by_id(document, "database")["proof"])
    assert len(by_id(document, "logs")["table"]) > 1  # a header and at least one log line
    e2e_steps = [row[0] for row in by_id(document, "e2e")["table"][1:]]
    assert e2e_steps == ["health", "create", "read", "search", "delete", "gone", "cors"]
    assert all(row[2].endswith(" ms") for row in by_id(document, "e2e")["table"][1:])
    text = markdown.read_text(encoding="utf-8")
    assert "**Summary:** every deliverable is met." in text
    assert "| health | ok |" in text
    assert "<img" not in html.read_text(encoding="utf-8")  # no screenshot was taken yet


def test_a_broken_dns_record_is_the_deliverable_not_met(box: Sandbox) -> None:
    sandbox = box
    assert sandbox.cli("dns").exit_code == 0
    route53 = sandbox.client("route53")
    zone = sandbox.stack["hosted_zone_id"]
    route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [{
        "Action": "UPSERT", "ResourceRecordSet": {
            "Name": "api.sandbox.articles.test", "Type": "A", "AliasTarget": {
                "HostedZoneId": "Z35SXDOTRQ7X7K", "EvaluateTargetHealth": True,
                "DNSName": "some-other-alb-1.us-east-1.elb.amazonaws.com"}}}]})

    result = sandbox.cli("--json", "report", "--no-e2e")

    assert result.exit_code == 1
    document = result.json()
    assert document["not_met"] == ["dns"], verdicts(document)
    assert verdicts(document)["entry"] == "met"  # the ALB itself still answers
    assert verdicts(document)["e2e"] == "unknown"
    assert "not met: dns" in result.stderr
    assert any("some-other-alb" in line for line in by_id(document, "dns")["proof"])


def test_after_a_failed_deploy_the_image_does_not_start(sandbox: Sandbox) -> None:
    sandbox.put_image("arm64-only", ("linux/arm64",))
    assert sandbox.cli("deploy", "--tag", "arm64-only").exit_code == 1

    result = sandbox.cli("--json", "report")

    assert result.exit_code == 1
    document = result.json()
    assert "starts" in document["not_met"], verdicts(document)
    starts = by_id(document, "starts")
    assert "exec format error" in starts["why"]
    # Named on stderr; until the circuit breaker rolls back, the service still points at
    # the arm64-only revision, so "image" may be named too.
    assert "not met: " in result.stderr
    assert "starts (the last deploy (revision 2) " in result.stderr  # failed or rolled-back
    assert verdicts(document)["e2e"] == "met"  # the previous revision still serves


@pytest.mark.skipif(not CHROMIUM.exists(),
                    reason="needs Debian's chromium (apt-get install chromium)")
def test_the_html_opens_offline_in_chromium_and_requests_nothing(box: Sandbox) -> None:
    from playwright.sync_api import sync_playwright

    sandbox = box

    assert sandbox.cli("dns").exit_code == 0
    shots = sandbox.root / ".shipit" / "e2e"
    shots.mkdir(parents=True)
    html = sandbox.root / "report.html"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            # The browser step of the path: the deployed service's API explorer (loopback).
            page = browser.new_page(viewport={"width": 1000, "height": 700})
            page.goto(f"{sandbox.url}/docs", wait_until="networkidle")
            page.screenshot(path=str(shots / "explorer.png"))
            page.close()

            result = sandbox.cli("report", "--html", str(html))
            assert result.exit_code == 0, result.stderr
            assert "data:image/png;base64," in html.read_text(encoding="utf-8")

            context = browser.new_context(offline=True, viewport={"width": 1100, "height": 1300})
            requests: list[str] = []
            context.on("request", lambda request: requests.append(request.url))
            context.route("**/*", lambda route: route.continue_()
                          if route.request.url == html.as_uri() else route.abort())
            offline = context.new_page()
            offline.goto(html.as_uri(), wait_until="load")
            assert requests == [html.as_uri()]  # the document itself, and nothing else
            assert offline.locator("h1").inner_text().startswith("Acceptance report: sandbox")
            assert offline.locator("td.v.met").count() == len(DELIVERABLES)
            width = offline.locator("figure img").evaluate("img => img.naturalWidth")
            assert width == 1000  # the inlined screenshot decoded: no request needed
            picture = sandbox.root / "report.png"
            offline.screenshot(path=str(picture))
            assert picture.stat().st_size > 10_000
            if os.environ.get("SHIPIT_UPDATE_DOC_IMAGES"):
                shutil.copy(picture, REPO_ROOT / "docs" / "img" / "report.png")
        finally:
            browser.close()
