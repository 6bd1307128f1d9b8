"""`shipit export` on a running sandbox (the demo's stack): the template lints clean, holds the
sandbox's chain and its website bucket, and the demo's export step passes on it."""

from __future__ import annotations

import yaml

from shipit.config import load_config
from shipit.demo import steps
from shipit.export.lint import errors, lint_template
from shipit.image.runner import SubprocessRunner
from shipit.output import Output
from tests.fixtures.sandbox import Sandbox


def test_the_sandbox_exports_lints_clean_and_the_demo_step_passes(sandbox: Sandbox) -> None:
    assert sandbox.cli("dns").exit_code == 0  # the Route53 alias, as the demo leaves it
    path = sandbox.root / "stack.yaml"

    result = sandbox.cli("--json", "export", "--format", "cloudformation", "-o", str(path))

    assert result.exit_code == 0, result.stderr
    report = result.json()
    assert report["source"]["env"] == "sandbox"
    assert report["source"]["cluster"] == sandbox.cluster
    text = path.read_text(encoding="utf-8")
    assert errors(lint_template(text, "us-east-1")) == []
    resources = yaml.safe_load(text)["Resources"]
    kinds = {r["Type"] for r in resources.values()}
    assert {"AWS::ECS::Service", "AWS::ElasticLoadBalancingV2::Listener", "AWS::RDS::DBInstance",
            "AWS::Route53::RecordSet", "AWS::S3::Bucket", "AWS::IAM::Role",
            "AWS::Logs::LogGroup"} <= kinds
    assert report["unsupported"] == []
    assert "sandbox-password" not in text

    # the demo's step, on the same sandbox (one sandbox start: they are slow)
    ctx = steps.DemoContext(sandbox.config, "none", Output(), SubprocessRunner())
    ctx.config = load_config(sandbox.config)

    outcome = steps.export(ctx)

    assert outcome.verdict == "pass", outcome.detail
    assert (sandbox.root / ".shipit" / "stack.yaml").is_file()
    assert outcome.data["written"] == str(sandbox.root / ".shipit" / "stack.yaml")
    assert [f for f in outcome.data["lint"] if f["level"] == "error"] == []
