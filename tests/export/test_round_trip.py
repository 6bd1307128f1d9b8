"""The exported template lints clean, rebuilds the stack through moto's CloudFormation in a
fresh account and region, and doctor judges the rebuilt stack as it judges the source."""

from __future__ import annotations

import pytest

from shipit.export.lint import lint_template
from tests.export import moto_gaps, shapes
from tests.export.documented import undocumented
from tests.export.rebuild import (
    Account,
    bring_image,
    create,
    fresh_account,
    rebuilt_env,
    register_target,
    verdicts,
)
from tests.fixtures.cli import run_cli
from tests.fixtures.reference_stack import ReferenceStack


def export(stack: ReferenceStack, *args: str, env: str = "test") -> tuple[str, dict[str, object]]:
    path = stack.root / f"{env}.yaml"
    result = run_cli(["--config", str(stack.config_path), "--env", env, "--json", "export",
                      "--format", "cloudformation", "-o", str(path), *args], cwd=stack.root)
    assert result.exit_code == 0, result.stderr
    return path.read_text(encoding="utf-8"), result.json()


def round_trip(stack: ReferenceStack, monkeypatch: pytest.MonkeyPatch, *,
               service: str | None = None, env: str = "test", http: bool = True,
               container: str = "app") -> tuple[dict[str, str], dict[str, str]]:
    service = service or stack.names.service
    text, report = export(stack, "--include-network", env=env)
    assert undocumented(lint_template(text, "us-west-2")) == []
    account = fresh_account()
    parameters, secrets = _parameters(stack, account, report)
    if "HostedZoneId" in report["parameters"]:  # type: ignore[operator]
        parameters["HostedZoneId"] = account.client("route53").create_hosted_zone(
            Name=stack.names.zone, CallerReference="rebuild")["HostedZone"]["Id"].rsplit("/")[-1]
    outputs = create(account, text, parameters)
    assert outputs["ServiceArn"].endswith(f":service/{stack.names.cluster}/{service}")
    applied = moto_gaps.apply(account, text, parameters)
    assert "Service (deploymentConfiguration, desiredCount, healthCheckGracePeriodSeconds," \
        " loadBalancers, networkConfiguration)" in applied or not http
    register_target(account)
    rebuilt_env(stack, service=service, secrets=secrets, http=http, container=container)
    source = verdicts(stack.config_path, env)
    account.use(monkeypatch)
    return source, verdicts(stack.config_path, "rebuilt")


def _parameters(stack: ReferenceStack, account: Account, report: dict[str, object]
                ) -> tuple[dict[str, str], dict[str, str]]:
    """The values a user gives in a new account: the image pushed there, the secrets made
    there (same names), the NoEcho parameters' values."""
    parameters: dict[str, str] = {}
    secrets: dict[str, str] = {}
    declared: dict[str, dict[str, object]] = report["parameters"]  # type: ignore[assignment]
    for name, spec in declared.items():
        default = str(spec["default"])
        if name.endswith("Image") and ".dkr.ecr." in default:
            parameters[name] = bring_image(stack.client("ecr"), account, default)
        elif name.startswith("Secret") and ":secretsmanager:" in default:
            secret_name = default.split(":secret:", 1)[1].rsplit("-", 1)[0]
            parameters[name] = account.client("secretsmanager").create_secret(
                Name=secret_name, SecretString="made-in-the-new-account")["ARN"]
        elif name.startswith("Secret"):
            arn = default.replace(stack.names.region, account.region).replace(
                "123456789012", "222222222222")
            account.client("ssm").put_parameter(Name="/" + arn.split(":parameter/", 1)[1],
                                                 Value="made-here", Type="SecureString")
            parameters[name] = arn
        elif name.startswith("PeerGroup"):  # a group outside the exported stack (the web
            # app's tasks, for the worker): the user names their own; here, a group made for it
            ec2 = account.client("ec2")
            vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
            parameters[name] = ec2.create_security_group(
                GroupName=name, Description="outside the stack", VpcId=vpc)["GroupId"]
        elif name.startswith("CertificateArn"):
            parameters[name] = account.client("acm").request_certificate(
                DomainName=stack.names.dns_name)["CertificateArn"]
    for moved in report["moved_to_parameters"]:  # type: ignore[attr-defined]
        parameters.setdefault(moved["parameter"], "given-at-create-time")
    for key, arn in _secrets(stack, report):
        param = next(n for n, s in declared.items() if s["default"] == arn)
        secrets[key] = parameters[param]
    return parameters, secrets


def _secrets(stack: ReferenceStack, report: dict[str, object]) -> list[tuple[str, str]]:
    source: dict[str, str] = report["source"]  # type: ignore[assignment]
    service = stack.client("ecs").describe_services(
        cluster=source["cluster"], services=[source["service"]])["services"][0]
    raw = stack.client("ecs").describe_task_definition(
        taskDefinition=service["taskDefinition"])["taskDefinition"]
    return [(s["name"], s["valueFrom"]) for c in raw["containerDefinitions"]
            for s in c.get("secrets", [])]


def test_the_reference_stack_round_trips(reference_stack: ReferenceStack,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    source, rebuilt = round_trip(reference_stack, monkeypatch)

    assert rebuilt == source
    assert source["net.task_to_db"] == "pass"
    assert source["iam.execution_role"] == "pass"



def test_https_sidecar_ssm_and_plain_text_secrets_round_trip(
        reference_stack: ReferenceStack, monkeypatch: pytest.MonkeyPatch) -> None:
    shapes.https_listener(reference_stack)
    shapes.sidecar_ssm_and_planted(reference_stack)

    source, rebuilt = round_trip(reference_stack, monkeypatch)

    assert rebuilt == source
    assert source["secrets.plaintext"] != "pass"  # the planted variables, in both stacks


def test_a_worker_without_load_balancer_round_trips(
        reference_stack: ReferenceStack, monkeypatch: pytest.MonkeyPatch) -> None:
    service = shapes.worker(reference_stack)

    source, rebuilt = round_trip(reference_stack, monkeypatch, service=service, env="worker",
                                 http=False, container="worker")

    assert rebuilt == source
    assert source["net.task_to_db"] == "pass"
