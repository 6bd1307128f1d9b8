"""Doctor on the moto reference stack: healthy passes every check; each broken variant makes
exactly its check fail (or warn, where the issue says so) and no other check fail or error.
Every network component has its own one-fault stack in test_network_hops.py."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from shipit.doctor.checks import IDS
from shipit.net import free_port
from tests.doctor import network_faults
from tests.fixtures.cli import CliResult, run_cli
from tests.fixtures.reference_stack import ReferenceStack

Breaker = Callable[[ReferenceStack], object]


def doctor(stack: ReferenceStack, *args: str) -> CliResult:
    return run_cli(["--env", "test", "doctor", "--json", *args], cwd=stack.root)


def statuses(result: CliResult) -> dict[str, str]:
    return {check["id"]: check["status"] for check in result.json()["checks"]}


# -- the broken variants: one misconfiguration each --------------------------------------------


def wrong_account(stack: ReferenceStack) -> None:
    stack.write_config(account_id="999999999999")


def image_in_other_region(stack: ReferenceStack) -> None:
    """Pushed to eu-west-1 and deployed from there, while shipit works in us-east-1."""
    other = "eu-west-1"
    import boto3

    ecr = boto3.client("ecr", region_name=other)
    ecr.create_repository(repositoryName="articles", imageTagMutability="IMMUTABLE",
                          imageScanningConfiguration={"scanOnPush": True})
    source = stack.client("ecr").batch_get_image(
        repositoryName="articles", imageIds=[{"imageTag": stack.names.initial_tag}]
    )["images"][0]
    ecr.put_image(repositoryName="articles", imageManifest=source["imageManifest"],
                  imageManifestMediaType=source["imageManifestMediaType"], imageTag="v1",
                  imageDigest=source["imageId"]["imageDigest"])
    iam = stack.client("iam")
    iam.put_role_policy(RoleName=stack.names.execution_role, PolicyName="pull-anywhere",
                        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
                            {"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}]}))

    def change(definition: dict[str, Any]) -> None:
        definition["containerDefinitions"][0]["image"] = (
            f"123456789012.dkr.ecr.{other}.amazonaws.com/articles:v1"
        )

    stack.new_revision(change)


def mutable_tags(stack: ReferenceStack) -> None:
    stack.client("ecr").put_image_tag_mutability(
        repositoryName="articles", imageTagMutability="MUTABLE"
    )


def image_not_pushed(stack: ReferenceStack) -> None:
    def change(definition: dict[str, Any]) -> None:
        definition["containerDefinitions"][0]["image"] = (
            f"{stack.names.registry}/articles:never-pushed"
        )

    stack.new_revision(change)


def arm64_only_image(stack: ReferenceStack) -> None:
    from shipit.sandbox.stack import OCI_INDEX, image_index

    body, digest = image_index([("linux", "arm64")], seed="m1-laptop")
    stack.client("ecr").put_image(repositoryName="articles", imageManifest=body,
                                  imageManifestMediaType=OCI_INDEX, imageTag="m1",
                                  imageDigest=digest)

    def change(definition: dict[str, Any]) -> None:
        definition["containerDefinitions"][0]["image"] = f"{stack.names.registry}/articles:m1"

    stack.new_revision(change)


def task_cannot_pull(stack: ReferenceStack) -> None:
    ecs = stack.client("ecs")
    task = ecs.run_task(
        cluster=stack.names.cluster, taskDefinition=stack.ids["task_definition_arn"],
        launchType="FARGATE", group=f"service:{stack.names.service}",
        networkConfiguration={"awsvpcConfiguration": {
            "subnets": stack.ids["subnet_ids"],
            "securityGroups": [stack.ids["security_groups"]["tasks"]],
        }},
    )["tasks"][0]
    ecs.stop_task(cluster=stack.names.cluster, task=task["taskArn"],
                  reason="CannotPullContainerError: pull image manifest has been retried 5 times")


def no_log_group(stack: ReferenceStack) -> None:
    stack.client("logs").delete_log_group(logGroupName=stack.names.log_group)


def port_mismatch(stack: ReferenceStack) -> None:
    def change(definition: dict[str, Any]) -> None:
        container = definition["containerDefinitions"][0]
        container["portMappings"] = [{"containerPort": 8080, "protocol": "tcp"}]

    stack.new_revision(change)


def health_check_on_root(stack: ReferenceStack) -> None:
    stack.client("elbv2").modify_target_group(
        TargetGroupArn=stack.ids["target_group_arn"], HealthCheckPath="/"
    )


def short_grace_period(stack: ReferenceStack) -> None:
    stack.client("ecs").update_service(
        cluster=stack.names.cluster, service=stack.names.service, healthCheckGracePeriodSeconds=5
    )


def no_targets(stack: ReferenceStack) -> None:
    from tests.fixtures.reference_stack import TARGET_IP

    stack.client("elbv2").deregister_targets(
        TargetGroupArn=stack.ids["target_group_arn"], Targets=[{"Id": TARGET_IP, "Port": 8000}]
    )


def _revoke(stack: ReferenceStack, target: str, source: str, port: int) -> None:
    groups = stack.ids["security_groups"]
    stack.client("ec2").revoke_security_group_ingress(GroupId=groups[target], IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": port, "ToPort": port,
        "UserIdGroupPairs": [{"GroupId": groups[source]}],
    }])


def alb_blocked(stack: ReferenceStack) -> None:
    _revoke(stack, "tasks", "alb", 8000)


def db_blocked(stack: ReferenceStack) -> None:
    _revoke(stack, "db", "tasks", 5432)


def db_open_to_world(stack: ReferenceStack) -> None:
    stack.client("ec2").authorize_security_group_ingress(
        GroupId=stack.ids["security_groups"]["db"], IpPermissions=[{
            "IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
            "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
        }],
    )


def db_public(stack: ReferenceStack) -> None:
    stack.client("rds").modify_db_instance(
        DBInstanceIdentifier=stack.names.db_instance, PubliclyAccessible=True, ApplyImmediately=True
    )


def password_in_environment(stack: ReferenceStack) -> None:
    def change(definition: dict[str, Any]) -> None:
        definition["containerDefinitions"][0]["environment"].append(
            {"name": "API_TOKEN", "value": "tok-123"}
        )

    stack.new_revision(change)


def role_without_policy(stack: ReferenceStack) -> None:
    stack.client("iam").delete_role_policy(
        RoleName=stack.names.execution_role, PolicyName="pull-log-secrets"
    )


def service_unreachable(stack: ReferenceStack) -> None:
    stack.write_config(http_url=f"http://127.0.0.1:{free_port()}")


def origin_not_allowed(stack: ReferenceStack) -> None:
    """The config and the task definition say admin, but the running service refuses it."""
    stack.write_config(cors_origins=("https://admin.articles.test",))
    _set_task_origins(stack, "https://admin.articles.test")


def task_allows_an_old_origin(stack: ReferenceStack) -> None:
    """Deployed by hand (or from another config): the task allows more than shipit.toml."""
    _set_task_origins(stack, "https://app.articles.test,https://old.articles.test")


def _set_task_origins(stack: ReferenceStack, origins: str) -> None:
    def change(definition: dict[str, Any]) -> None:
        environment = definition["containerDefinitions"][0]["environment"]
        environment[:] = [e for e in environment if e["name"] != "CORS_ALLOWED_ORIGINS"]
        environment.append({"name": "CORS_ALLOWED_ORIGINS", "value": origins})

    stack.new_revision(change)


def cname_instead_of_alias(stack: ReferenceStack) -> None:
    route53 = stack.client("route53")
    zone = stack.ids["hosted_zone_id"]
    records = route53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
    alias = next(r for r in records if r["Type"] == "A")
    route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [
        {"Action": "DELETE", "ResourceRecordSet": alias},
        {"Action": "CREATE", "ResourceRecordSet": {
            "Name": stack.names.dns_name, "Type": "CNAME", "TTL": 300,
            "ResourceRecords": [{"Value": "old-alb.example.net"}],
        }},
    ]})


def diverging_environments(stack: ReferenceStack) -> None:
    stack.write_config(extra_test_vars={"FEATURE_SEARCH": "on"})


VARIANTS: list[tuple[str, Breaker, str]] = [
    ("aws.identity", wrong_account, "fail"),
    ("ecr.region", image_in_other_region, "fail"),
    ("ecr.repository", mutable_tags, "warn"),
    ("ecr.image", image_not_pushed, "fail"),
    ("image.platform", arm64_only_image, "fail"),
    ("ecs.service", task_cannot_pull, "fail"),
    ("ecs.logs", no_log_group, "fail"),
    ("ecs.ports", port_mismatch, "fail"),
    ("lb.health_check", health_check_on_root, "fail"),
    ("lb.health_check", short_grace_period, "warn"),
    ("lb.targets", no_targets, "fail"),
    ("net.internet_to_alb", network_faults.alb_group_closed, "fail"),
    ("net.alb_to_task", alb_blocked, "fail"),
    ("net.task_to_aws", network_faults.nat_deleted, "fail"),
    ("net.task_to_db", db_blocked, "fail"),
    ("db.exposure", db_open_to_world, "fail"),
    ("db.exposure", db_public, "fail"),
    ("secrets.plaintext", password_in_environment, "fail"),
    ("iam.execution_role", role_without_policy, "fail"),
    ("http.health", service_unreachable, "fail"),
    ("http.cors", origin_not_allowed, "fail"),
    # The live service (started with ALLOWED_ORIGIN only) refuses the old origin: the task's
    # variable is drift from shipit.toml, which live evidence outranks (a warning, not a fail).
    ("http.cors_config", task_allows_an_old_origin, "warn"),
    ("dns.alias", cname_instead_of_alias, "fail"),
    ("config.convergence", diverging_environments, "fail"),
]


def test_the_healthy_stack_passes_every_check(reference_stack: ReferenceStack) -> None:
    result = doctor(reference_stack)
    found = statuses(result)
    assert found == dict.fromkeys(IDS, "pass"), result.stdout
    assert result.exit_code == 0
    # moto keeps IMMUTABLE_WITH_EXCLUSION and its filters, as `shipit push` creates them.
    repository = next(c for c in result.json()["checks"] if c["id"] == "ecr.repository")
    assert "tags immutable except those matching latest (these stay mutable)" in \
        repository["summary"]


def test_every_check_has_a_broken_variant() -> None:
    assert {check_id for check_id, _, _ in VARIANTS} == set(IDS)


@pytest.mark.parametrize(
    ("check_id", "breaker", "expected"), VARIANTS, ids=[b.__name__ for _, b, _ in VARIANTS]
)
def test_a_broken_variant_is_caught_by_its_check_only(
    reference_stack: ReferenceStack, check_id: str, breaker: Breaker, expected: str
) -> None:
    breaker(reference_stack)
    result = doctor(reference_stack)
    found = statuses(result)
    assert found[check_id] == expected, result.stdout
    others = {k: v for k, v in found.items() if k != check_id and v in ("fail", "error")}
    assert others == {}, result.stdout
    mine = next(c for c in result.json()["checks"] if c["id"] == check_id)
    assert mine["fix"], "every failing finding carries its fix"
    assert result.exit_code == (1 if expected == "fail" else 0)
