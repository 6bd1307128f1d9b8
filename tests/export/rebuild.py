"""Rebuild an exported template in a fresh moto account and region, through moto's
CloudFormation, and compare doctor's verdicts on both stacks.

What moto's CloudFormation cannot hold is applied through the API here, by name (never in
the product): its AWS::ECS::Service drops LoadBalancers, DeploymentConfiguration and
HealthCheckGracePeriodSeconds. What a user brings to a new account is made here too: the
hosted zone, the secrets (the template takes their ARNs as parameters) and the image in the
account's own ECR (the template takes it as a parameter). What a deployed stack looks like in
moto (running = desired, a healthy registered target) is made as the reference stack makes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.fixtures.cli import run_cli
from tests.fixtures.reference_stack import ALLOWED_ORIGIN, TARGET_IP, ReferenceStack

NEW_ACCOUNT = "222222222222"
NEW_REGION = "us-west-2"


@dataclass(frozen=True)
class Account:
    """Another moto account (reached by assuming a role in it), in another region."""

    region: str
    credentials: Mapping[str, str]

    def client(self, name: str) -> Any:
        return boto3.client(name, region_name=self.region,  # type: ignore[call-overload]
                            **{k.lower(): v for k, v in self.credentials.items()})

    def use(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Point the standard variables (what shipit reads) at this account."""
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", self.credentials["AWS_ACCESS_KEY_ID"])
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", self.credentials["AWS_SECRET_ACCESS_KEY"])
        monkeypatch.setenv("AWS_SESSION_TOKEN", self.credentials["AWS_SESSION_TOKEN"])


def fresh_account() -> Account:
    # a new session: boto3's default one keeps the credentials of the first test that used it
    creds = boto3.Session().client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{NEW_ACCOUNT}:role/rebuild", RoleSessionName="rebuild",
    )["Credentials"]
    account = Account(NEW_REGION, {"AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
                                   "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
                                   "AWS_SESSION_TOKEN": creds["SessionToken"]})
    assert account.client("sts").get_caller_identity()["Account"] == NEW_ACCOUNT
    return account


def bring_image(source_ecr: Any, account: Account, image: str) -> str:
    """The running image, pushed to the new account's ECR as `shipit push` would: its ref."""
    repository, _, digest = image.rsplit("/", 1)[-1].partition("@")
    source = source_ecr.batch_get_image(
        repositoryName=repository, imageIds=[{"imageDigest": digest}])["images"][0]
    described = source_ecr.describe_repositories(repositoryNames=[repository])[
        "repositories"][0]
    ecr = account.client("ecr")
    ecr.create_repository(
        repositoryName=repository, imageTagMutability=described["imageTagMutability"],
        imageTagMutabilityExclusionFilters=described.get("imageTagMutabilityExclusionFilters",
                                                         []),
        imageScanningConfiguration=described["imageScanningConfiguration"])
    tags = source_ecr.describe_images(repositoryName=repository, imageIds=[
        {"imageDigest": digest}])["imageDetails"][0].get("imageTags", [])
    ecr.put_image(repositoryName=repository, imageManifest=source["imageManifest"],
                  imageManifestMediaType=source["imageManifestMediaType"], imageDigest=digest,
                  **({"imageTag": tags[0]} if tags else {}))
    return f"{NEW_ACCOUNT}.dkr.ecr.{NEW_REGION}.amazonaws.com/{repository}@{digest}"


def create(account: Account, text: str, parameters: Mapping[str, str]) -> dict[str, str]:
    """Create the stack through moto's CloudFormation; its outputs."""
    cfn = account.client("cloudformation")
    cfn.create_stack(StackName="rebuilt", TemplateBody=text, Capabilities=["CAPABILITY_NAMED_IAM"],
                     Parameters=[{"ParameterKey": k, "ParameterValue": v}
                                 for k, v in parameters.items()])
    stack = cfn.describe_stacks(StackName="rebuilt")["Stacks"][0]
    events = [(e["LogicalResourceId"], e["ResourceStatus"], e.get("ResourceStatusReason"))
              for e in cfn.describe_stack_events(StackName="rebuilt")["StackEvents"]]
    assert stack["StackStatus"] == "CREATE_COMPLETE", events[:10]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def register_target(account: Account) -> None:
    """A deployed stack in moto: the service process registered as a healthy target (as the
    reference stack does)."""
    elbv2 = account.client("elbv2")
    for group in elbv2.describe_target_groups()["TargetGroups"]:
        elbv2.register_targets(TargetGroupArn=group["TargetGroupArn"],
                               Targets=[{"Id": TARGET_IP, "Port": group["Port"]}])


def verdicts(config: Path, env: str) -> dict[str, str]:
    result = run_cli(["--config", str(config), "--env", env, "--json", "doctor"],
                     cwd=config.parent)
    assert result.exit_code in (0, 1), result.stderr
    return {f["id"]: f["status"] for f in result.json()["checks"]}


def rebuilt_env(stack: ReferenceStack, *, service: str, secrets: Mapping[str, str],
                http: bool = True, container: str = "app") -> None:
    """[env.rebuilt]: the same names as [env.test], in the new account and region."""
    names = stack.names
    lines = ["", "[env.rebuilt]", f'aws = {{ region = "{NEW_REGION}",'
             f' account_id = "{NEW_ACCOUNT}" }}',
             f'ecs = {{ cluster = "{names.cluster}", service = "{service}",'
             f' container = "{container}" }}',
             f'rds = {{ instance = "{names.db_instance}" }}']
    if http:
        lines += [f'dns = {{ zone = "{names.zone}", name = "{names.dns_name}" }}',
                  f'http = {{ url = "{stack.service_url}", cors_origins = ["{ALLOWED_ORIGIN}"] }}']
    lines.append('vars = { APP_ENV = "test" }')
    lines.append("secrets = { " + ", ".join(f'{k} = "{v}"' for k, v in secrets.items()) + " }")
    text = stack.config_path.read_text(encoding="utf-8")
    stack.config_path.write_text(text + "\n".join(lines) + "\n", encoding="utf-8")
