"""The frontend in the sandbox, as in AWS: the page from moto's S3 behind the website endpoint
stand-in (its own loopback origin), the API behind the ALB proxy (another origin), a real
headless Chromium in between. The fix of a CORS fault goes through shipit.toml and a deploy.

Both tests share one sandbox: neither depends on what the other changes (the CORS fix deploys a
revision and edits sandbox.toml's origins; the other writes the Route53 records)."""

from __future__ import annotations

import re
import shutil
import urllib.request
from pathlib import Path

import pytest

from shipit.sandbox.website import start_website
from tests.fixtures.sandbox import Sandbox

pytestmark = [pytest.mark.browser, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[2]
BUCKET = "app.sandbox.articles.test"


def test_frontend_deploy_browser_e2e_and_a_cors_fault_fixed_by_config(shared_sandbox: Sandbox
                                                                      ) -> None:
    sandbox = shared_sandbox
    shutil.copytree(REPO / "sample_frontend", sandbox.root / "sample_frontend")
    page_url = sandbox.state.website_url

    deployed = sandbox.cli("web", "deploy", "--json")
    assert deployed.exit_code == 0, deployed.stderr
    assert deployed.json()["page_url"] == page_url
    with urllib.request.urlopen(page_url + "/", timeout=5) as answer:
        assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
        assert answer.headers["Cache-Control"] == "no-cache"
        assert b'<script src="config.js">' in answer.read()
    with urllib.request.urlopen(page_url + "/config.js", timeout=5) as answer:
        assert sandbox.url.encode() in answer.read()

    # The initial task already allows the website's origin: one source, nothing to deploy.
    doctor = sandbox.cli("doctor", "--json", "--check", "http.cors_config", "--check",
                         "http.cors")
    assert [c["status"] for c in doctor.json()["checks"]] == ["pass", "pass"], doctor.stdout

    e2e = sandbox.cli("e2e", "--browser", "--json")
    assert e2e.exit_code == 0, e2e.stdout + e2e.stderr
    report = e2e.json()
    assert [s["step"] for s in report["steps"] if s["ok"]] == [
        "open", "create", "stored", "search", "cors"]
    shots = sorted((sandbox.root / ".shipit" / "e2e").glob("*.png"))
    assert [p.name for p in shots] == ["01-open.png", "02-create.png", "03-stored.png",
                                       "04-search.png", "05-cors.png"]

    # The same page on an origin the service does not allow (a second website endpoint).
    other = start_website(sandbox.client("s3"), BUCKET)
    try:
        refused = sandbox.cli("e2e", "--browser", "--page", other.url + "/", "--json")
        assert refused.exit_code == 1, refused.stdout
        seen = refused.json()
        assert seen["failed_step"] == "open"
        assert (f"from origin '{other.url}' has been blocked by CORS policy: No"
                " 'Access-Control-Allow-Origin' header is present") in seen["steps"][0]["detail"]
        assert f"add {other.url} to http.cors_origins" in seen["fix"]
        assert "failed at step open" in refused.stderr

        # The fix the message names: the origin in shipit.toml (sandbox.toml here) ...
        text = sandbox.env_file.read_text()
        text = re.sub(r'(?m)^cors_origins = \[(.*)\]$',
                      lambda m: f'cors_origins = [{m[1]}, "{other.url}"]', text)
        sandbox.env_file.write_text(text)
        stale = sandbox.cli("doctor", "--json", "--check", "http.cors_config")
        assert stale.json()["checks"][0]["status"] == "fail"
        assert f"does not allow {other.url}" in stale.json()["checks"][0]["summary"]
        # ... and a deploy, which derives CORS_ALLOWED_ORIGINS from it.
        sandbox.put_image("cors-fix")
        assert sandbox.cli("deploy", "--tag", "cors-fix", "--json").exit_code == 0
        fixed = sandbox.cli("e2e", "--browser", "--page", other.url + "/", "--json")
        assert fixed.exit_code == 0, fixed.stdout
    finally:
        other.stop()
    agreed = sandbox.cli("doctor", "--json", "--check", "http.cors_config")
    assert agreed.json()["checks"][0]["status"] == "pass", agreed.stdout


def test_dns_aliases_the_frontend_name_to_the_website_endpoint(shared_sandbox: Sandbox) -> None:
    sandbox = shared_sandbox
    first = sandbox.cli("dns", "--json")
    assert first.exit_code == 0, first.stdout + first.stderr
    web = first.json()["web"]
    assert web["name"] == BUCKET
    assert web["target"] == "s3-website-us-east-1.amazonaws.com"
    assert web["changed"] is True
    records = sandbox.client("route53").list_resource_record_sets(
        HostedZoneId=sandbox.stack["hosted_zone_id"])["ResourceRecordSets"]
    alias = next(r for r in records if r["Name"].rstrip(".") == BUCKET and r["Type"] == "A")
    assert alias["AliasTarget"]["HostedZoneId"] == "Z3AQBSTGFYJSTF"
    assert first.json()["name"] == "api.sandbox.articles.test"  # the API's record as before
    again = sandbox.cli("dns", "--json")
    assert again.json()["web"]["changed"] is False
