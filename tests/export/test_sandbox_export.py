"""`shipit export` on a running sandbox (the demo's stack): the template lints clean and holds
the sandbox's chain and its website bucket; created through the sandbox's own moto's
CloudFormation in a fresh account and region, doctor judges the rebuilt stack as it judges the
sandbox; and the demo's export step passes on it."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from shipit.config import load_config
from shipit.demo import steps
from shipit.export.lint import lint_template
from shipit.image.runner import SubprocessRunner
from shipit.output import Output
from tests.export import moto_gaps
from tests.export.documented import undocumented
from tests.export.rebuild import (
    NEW_ACCOUNT,
    NEW_REGION,
    Account,
    bring_image,
    create,
    fresh_account,
    register_target,
    verdicts,
)
from tests.fixtures.sandbox import Sandbox, sandbox_keys


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

    # rebuilt through the sandbox's own moto's CloudFormation, in a fresh account and region;
    # doctor judges it as it judges the sandbox (moto's gaps applied as in test_round_trip)
    networked = sandbox.root / "stack-network.yaml"
    exported = sandbox.cli("--json", "export", "--include-network", "-o", str(networked))
    assert exported.exit_code == 0, exported.stderr
    text = networked.read_text(encoding="utf-8")
    assert undocumented(lint_template(text, "us-west-2")) == []
    resources = yaml.safe_load(text)["Resources"]
    monkeypatch.setenv("AWS_ENDPOINT_URL", sandbox.state.endpoint_url)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name, value in sandbox_keys(sandbox.root).items():  # the sandbox accepts only its own
        monkeypatch.setenv(name.upper(), value)
    source = verdicts(sandbox.config, "sandbox")  # before [env.rebuilt] exists
    account = fresh_account()
    parameters = _parameters(sandbox, account, exported.json()["parameters"])
    outputs = create(account, text, parameters)
    made = account.client("cloudformation").list_stack_resources(StackName="rebuilt")[
        "StackResourceSummaries"]
    assert {r["LogicalResourceId"] for r in made} - {""} == {
        name for name, r in resources.items() if r["Type"] not in moto_gaps.NOT_IMPLEMENTED}
    assert outputs["ServiceArn"].endswith(f":service/{sandbox.cluster}/{sandbox.service}")
    assert ":222222222222:" in outputs["ServiceArn"]
    moto_gaps.apply(account, text, parameters)
    register_target(account)
    _rebuilt_env(sandbox, account, parameters)
    account.use(monkeypatch)
    assert verdicts(sandbox.config, "rebuilt") == source
    assert set(source.values()) == {"pass"}  # every check judged, on both stacks

    # the demo's step, on the same sandbox (one sandbox start: they are slow)
    ctx = steps.DemoContext(sandbox.config, "none", Output(), SubprocessRunner())
    ctx.config = load_config(sandbox.config)

    outcome = steps.export(ctx)

    assert outcome.verdict == "pass", outcome.detail
    assert (sandbox.root / ".shipit" / "stack.yaml").is_file()
    assert outcome.data["written"] == str(sandbox.root / ".shipit" / "stack.yaml")
    assert [f for f in outcome.data["lint"] if f["level"] == "error"] == []


def _parameters(sandbox: Sandbox, account: Account, declared: dict[str, Any]
                ) -> dict[str, str]:
    """What a user brings to the new account: the zone, the secret, the image in its ECR."""
    parameters = {"HostedZoneId": account.client("route53").create_hosted_zone(
        Name="sandbox.articles.test", CallerReference="rebuild")["HostedZone"]["Id"].rsplit(
        "/")[-1]}
    for name, spec in declared.items():
        if name.startswith("Secret"):
            parameters[name] = account.client("secretsmanager").create_secret(
                Name=f"rebuilt/{name}", SecretString="made-in-the-new-account")["ARN"]
        elif name.endswith("Image"):
            parameters[name] = bring_image(sandbox.client("ecr"), account, spec["default"])
    return parameters


def _rebuilt_env(sandbox: Sandbox, account: Account, parameters: dict[str, str]) -> None:
    """.shipit/envs/rebuilt.toml: the sandbox's environment, in the new account and region,
    with the new secret and the new database's address."""
    text = sandbox.env_file.read_text(encoding="utf-8")
    database = account.client("rds").describe_db_instances()["DBInstances"][0]
    old_host = sandbox.client("rds").describe_db_instances(
        DBInstanceIdentifier=database["DBInstanceIdentifier"])["DBInstances"][0]["Endpoint"][
        "Address"]
    secret = next(v for k, v in parameters.items() if k.startswith("Secret"))
    text = (text.replace('region = "us-east-1"', f'region = "{NEW_REGION}"')
            .replace('credentials_file = ".shipit/sandbox/credentials.json"\n', "")  # its own
            .replace('account_id = "123456789012"', f'account_id = "{NEW_ACCOUNT}"')
            .replace(sandbox.stack["secret_arn"], secret)
            .replace(old_host, database["Endpoint"]["Address"]))
    (sandbox.env_file.parent / "rebuilt.toml").write_text(text, encoding="utf-8")
