"""`shipit export` as a user runs it: where it writes (only where asked, never over a file
without --force), what --json reports, --for-import's two files, no secret value anywhere,
unsupported shapes listed."""

from __future__ import annotations

import json
from typing import Any

import yaml

from shipit.export.lint import lint_template
from shipit.sandbox.stack import DB_PASSWORD
from tests.export import shapes
from tests.export.documented import undocumented
from tests.fixtures.cli import CliResult, run_cli
from tests.fixtures.reference_stack import ReferenceStack


def export(stack: ReferenceStack, *args: str, env: str = "test") -> CliResult:
    return run_cli(["--config", str(stack.config_path), "--env", env, "export", *args],
                   cwd=stack.root)


def test_stdout_by_default_and_no_file_anywhere(reference_stack: ReferenceStack) -> None:
    before = sorted(p.name for p in reference_stack.root.iterdir())

    result = export(reference_stack, "--format", "cloudformation")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# shipit export --format cloudformation")
    template = yaml.safe_load(result.stdout)
    assert template["Resources"]["Service"]["Type"] == "AWS::ECS::Service"
    assert sorted(p.name for p in reference_stack.root.iterdir()) == before


def test_an_existing_file_is_kept_without_force(reference_stack: ReferenceStack) -> None:
    path = reference_stack.root / "stack.yaml"
    path.write_text("mine\n", encoding="utf-8")

    refused = export(reference_stack, "-o", str(path))

    assert refused.exit_code == 2
    assert f"{path} exists" in refused.stderr
    assert "--force" in refused.stderr
    assert path.read_text(encoding="utf-8") == "mine\n"
    forced = export(reference_stack, "-o", str(path), "--force")
    assert forced.exit_code == 0, forced.stderr
    assert path.read_text(encoding="utf-8").startswith("# shipit export")


def test_json_says_what_was_exported_and_from_where(reference_stack: ReferenceStack) -> None:
    path = reference_stack.root / "stack.yaml"

    result = export(reference_stack, "--json", "-o", str(path))

    assert result.exit_code == 0, result.stderr
    report = result.json()
    assert report["written"] == str(path)
    assert report["template"] is None
    assert report["source"] | {"url": None} == {
        "account": "123456789012", "region": "us-east-1", "env": "test", "cluster":
        "articles-sandbox", "service": "articles-sandbox", "url": None,
        "endpoint": reference_stack.moto.url}
    by_id = {r["logical_id"]: r for r in report["resources"]}
    assert by_id["LoadBalancer"]["from"] == "elbv2:DescribeLoadBalancers articles-sandbox-alb"
    assert by_id["Database"]["identifier"] == {"DBInstanceIdentifier": "articles-sandbox"}
    assert report["parameters"]["Image"]["default"].endswith(reference_stack.ids["image"][
        "digest"])
    assert report["bytes"] == len(path.read_bytes())
    text = path.read_text(encoding="utf-8")
    assert "# from ec2:DescribeSecurityGroupRules" in text  # where each resource came from
    assert undocumented(lint_template(text, "us-east-1")) == []


def test_no_secret_value_reaches_the_template_or_the_report(reference_stack: ReferenceStack
                                                             ) -> None:
    shapes.sidecar_ssm_and_planted(reference_stack)
    path = reference_stack.root / "stack.yaml"

    result = export(reference_stack, "--json", "-o", str(path))

    assert result.exit_code == 0, result.stderr
    text = path.read_text(encoding="utf-8")
    for value in [*shapes.PLANTED.values(), shapes.SSM_VALUE, DB_PASSWORD]:
        for where in (text, result.stdout, result.stderr):
            assert value not in where
    report = result.json()
    moved = {m["variable"]: m for m in report["moved_to_parameters"]}
    assert sorted(moved) == sorted(shapes.PLANTED)
    template = yaml.safe_load(text)
    for entry in moved.values():
        parameter = template["Parameters"][entry["parameter"]]
        assert parameter["NoEcho"] is True
        assert "Default" not in parameter
        assert entry["reason"]
        assert f"{entry['variable']} looked secret" in result.stderr
    app = template["Resources"]["TaskDefinition"]["Properties"]["ContainerDefinitions"][0]
    secrets = {s["Name"]: s["ValueFrom"] for s in app["Secrets"]}
    assert secrets == {"DB_PASSWORD": {"Ref": "SecretDbPassword"},
                       "API_KEY": {"Ref": "SecretApiKey"}}
    assert template["Parameters"]["SecretApiKey"]["Default"].endswith(
        ":parameter/articles/test/api-key")
    database = template["Resources"]["Database"]["Properties"]
    assert database["MasterUserPassword"] == {
        "Fn::Sub": "{{resolve:secretsmanager:${SecretDbPassword}}}"}


def test_for_import_retains_everything_and_writes_the_import_list(
        reference_stack: ReferenceStack) -> None:
    path = reference_stack.root / "stack.yaml"

    result = export(reference_stack, "--for-import", "-o", str(path))

    assert result.exit_code == 0, result.stderr
    template = yaml.safe_load(path.read_text(encoding="utf-8"))
    imports: list[dict[str, Any]] = json.loads(
        (reference_stack.root / "stack.import.json").read_text(encoding="utf-8"))
    assert {i["LogicalResourceId"] for i in imports} == set(template["Resources"])
    for resource in template["Resources"].values():
        assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain"
    by_id = {i["LogicalResourceId"]: i for i in imports}
    assert by_id["Service"]["ResourceIdentifier"] == {
        "ServiceArn": "arn:aws:ecs:us-east-1:123456789012:service/articles-sandbox/"
                      "articles-sandbox", "Cluster": "articles-sandbox"}
    assert by_id["TaskSecurityGroup"]["ResourceIdentifier"] == {
        "Id": reference_stack.ids["security_groups"]["tasks"]}
    assert "AliasRecordA" not in template["Resources"]  # Route53 records cannot be imported
    assert "HostedZoneId" not in template["Parameters"]  # it named only the record
    assert "create-change-set" in result.stderr
    assert "--change-set-type IMPORT" in result.stderr
    assert "execute-change-set" in result.stderr
    assert [f.rule for f in lint_template(path.read_text(encoding="utf-8"), "us-east-1")] == [
        "W3691"]  # moto's postgres 16.3: the one warning, docs/commands/export.md says why


def test_usage_mistakes_exit_2_before_reading_aws(reference_stack: ReferenceStack) -> None:
    path = reference_stack.root / "stack.yaml"
    cases = [
        (["--format", "terraform"], "unknown export format 'terraform'"),
        (["--for-import"], "give the template's path with -o FILE"),
        (["--for-import", "--include-network", "-o", str(path)], "not supported"),
        (["-o", str(reference_stack.root / "no" / "such" / "stack.yaml")], "is not a folder"),
    ]
    for args, message in cases:
        result = export(reference_stack, *args)
        assert result.exit_code == 2, (args, result.stderr)
        assert message in result.stderr
    assert not path.exists()


def test_unsupported_shapes_are_listed_not_dropped(reference_stack: ReferenceStack) -> None:
    ec2, elbv2 = reference_stack.client("ec2"), reference_stack.client("elbv2")
    tgw = ec2.create_transit_gateway(Description="to the data centre")["TransitGateway"][
        "TransitGatewayId"]
    ec2.create_route(RouteTableId=reference_stack.ids["route_tables"]["tasks"],
                     DestinationCidrBlock="10.99.0.0/16", TransitGatewayId=tgw)
    function = elbv2.create_target_group(Name="thumbnails", TargetType="lambda")[
        "TargetGroups"][0]["TargetGroupArn"]
    elbv2.create_rule(ListenerArn=reference_stack.ids["listener_arn"], Priority=5,
                      Conditions=[{"Field": "path-pattern", "Values": ["/thumbs/*"]}],
                      Actions=[{"Type": "forward", "TargetGroupArn": function}])
    path = reference_stack.root / "stack.yaml"

    result = export(reference_stack, "--include-network", "--json", "-o", str(path))

    assert result.exit_code == 0, result.stderr
    listed = [u["what"] for u in result.json()["unsupported"]]
    assert f"transit gateway route 10.99.0.0/16 -> {tgw}" in listed
    assert "target group thumbnails of type lambda" in listed
    assert f"forward to {function}" in listed
    text = path.read_text(encoding="utf-8")
    assert f"not exported: transit gateway route 10.99.0.0/16 -> {tgw}" in text
    assert undocumented(lint_template(text, "us-east-1")) == []


