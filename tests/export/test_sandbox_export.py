"""`shipit export` on a running sandbox (the demo's stack): the template lints clean, holds the
sandbox's chain and its website bucket, and the demo's export step passes on it."""

from __future__ import annotations

import pytest
import yaml

from shipit.config import load_config
from shipit.demo import steps
from shipit.export.lint import lint_template
from shipit.image.runner import SubprocessRunner
from shipit.output import Output
from tests.export import moto_gaps
from tests.export.documented import undocumented
from tests.export.rebuild import create, fresh_account
from tests.fixtures.sandbox import Sandbox


def test_the_sandbox_exports_lints_clean_rebuilds_and_the_demo_step_passes(
        sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    assert sandbox.cli("dns").exit_code == 0  # the Route53 alias, as the demo leaves it
    path = sandbox.root / "stack.yaml"

    result = sandbox.cli("--json", "export", "--format", "cloudformation", "-o", str(path))

    assert result.exit_code == 0, result.stderr
    report = result.json()
    assert report["source"]["env"] == "sandbox"
    assert report["source"]["cluster"] == sandbox.cluster
    text = path.read_text(encoding="utf-8")
    assert undocumented(lint_template(text, "us-east-1")) == []
    resources = yaml.safe_load(text)["Resources"]
    kinds = {r["Type"] for r in resources.values()}
    assert {"AWS::ECS::Service", "AWS::ElasticLoadBalancingV2::Listener", "AWS::RDS::DBInstance",
            "AWS::Route53::RecordSet", "AWS::S3::Bucket", "AWS::IAM::Role",
            "AWS::Logs::LogGroup"} <= kinds
    assert report["unsupported"] == []
    assert "sandbox-password" not in text

    # rebuilt through the sandbox's own moto's CloudFormation, in a fresh account and region
    # (doctor's verdicts are compared on the reference stack, the same stack without the
    # sandbox's stand-ins: tests/export/test_round_trip.py)
    networked = sandbox.root / "stack-network.yaml"
    assert sandbox.cli("export", "--include-network", "-o", str(networked)).exit_code == 0
    text = networked.read_text(encoding="utf-8")
    assert undocumented(lint_template(text, "us-west-2")) == []
    resources = yaml.safe_load(text)["Resources"]
    monkeypatch.setenv("AWS_ENDPOINT_URL", sandbox.state.endpoint_url)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    account = fresh_account()
    zone = account.client("route53").create_hosted_zone(
        Name=sandbox.state.stack.get("zone_name", "sandbox.articles.test"),
        CallerReference="rebuild")["HostedZone"]["Id"].rsplit("/")[-1]
    secrets = {name: account.client("secretsmanager").create_secret(
        Name=f"rebuilt/{name}", SecretString="made-in-the-new-account")["ARN"]
        for name in report["parameters"] if name.startswith("Secret")}
    outputs = create(account, text, {"HostedZoneId": zone, **secrets})
    made = account.client("cloudformation").list_stack_resources(StackName="rebuilt")[
        "StackResourceSummaries"]
    assert {r["LogicalResourceId"] for r in made} - {""} == {
        name for name, r in resources.items() if r["Type"] not in moto_gaps.NOT_IMPLEMENTED}
    assert outputs["ServiceArn"].endswith(f":service/{sandbox.cluster}/{sandbox.service}")
    assert ":222222222222:" in outputs["ServiceArn"]

    # the demo's step, on the same sandbox (one sandbox start: they are slow)
    ctx = steps.DemoContext(sandbox.config, "none", Output(), SubprocessRunner())
    ctx.config = load_config(sandbox.config)

    outcome = steps.export(ctx)

    assert outcome.verdict == "pass", outcome.detail
    assert (sandbox.root / ".shipit" / "stack.yaml").is_file()
    assert outcome.data["written"] == str(sandbox.root / ".shipit" / "stack.yaml")
    assert [f for f in outcome.data["lint"] if f["level"] == "error"] == []
