"""The template writer's pure parts: YAML that parses back to exactly what was built (strings
YAML would guess as booleans or numbers stay strings), comments of origin, stable order, and
logical ids from names."""

from __future__ import annotations

import pytest
import yaml

from shipit.export.model import Parameter, Resource, Template, literal_sub, logical
from shipit.export.yaml_out import to_yaml

TRICKY = ["on", "no", "1e3", "0x1F", "null", "~", "- a", "#not a comment", "a: b", "${AWS::Region}",
          "line one\nline two", 'quote " inside', "tab\tinside", "ünïcode ✓", "", "  padded  "]


def template() -> Template:
    built = Template(description="a: description, with # and quotes \"")
    built.parameters["Image"] = Parameter("String", "the image", "repo@sha256:abc")
    built.parameters["VarApiToken"] = Parameter("String", "moved", None, no_echo=True)
    built.resources["Thing"] = Resource(
        "AWS::S3::Bucket", {"Tags": [{"Key": f"k{i}", "Value": v} for i, v in enumerate(TRICKY)],
                            "Numbers": [0, 1, -5, 2.5], "Flags": [True, False], "Empty": [],
                            "EmptyMap": {}, "Nested": [[1, 2], [{"a": "b"}]],
                            "200": "a key that is a number"},
        "ec2:DescribeThings thing-1 " + "very long source " * 10, deletion_policy="Retain",
        depends_on=["Other"])
    built.resources["Other"] = Resource("AWS::SNS::Topic", {}, "sns:ListTopics")
    built.outputs["Out"] = {"Value": {"Fn::GetAtt": ["Thing", "Arn"]}}
    return built


def test_the_yaml_parses_back_to_what_was_built() -> None:
    text = to_yaml(template(), header=["first line", "", "third"])

    parsed = yaml.safe_load(text)

    props = parsed["Resources"]["Thing"]["Properties"]
    assert [t["Value"] for t in props["Tags"]] == TRICKY
    assert props["Numbers"] == [0, 1, -5, 2.5]
    assert props["Flags"] == [True, False]
    assert props["Empty"] == [] and props["EmptyMap"] == {}  # noqa: PT018
    assert props["Nested"] == [[1, 2], [{"a": "b"}]]
    assert props["200"] == "a key that is a number"
    assert parsed["AWSTemplateFormatVersion"] == "2010-09-09"
    assert parsed["Parameters"]["VarApiToken"] == {"Type": "String", "Description": "moved",
                                                   "NoEcho": True}
    thing = parsed["Resources"]["Thing"]
    assert (thing["DeletionPolicy"], thing["UpdateReplacePolicy"]) == ("Retain", "Retain")
    assert thing["DependsOn"] == ["Other"]
    assert list(parsed["Resources"]) == ["Thing", "Other"]  # the builder's order, kept
    assert text.startswith("# first line\n#\n# third\n")
    lines = text.splitlines()
    at = lines.index("  Thing:")
    first = at
    while lines[first - 1].startswith("  # "):
        first -= 1
    assert at - first > 1  # a long source is wrapped, not cut
    assert lines[first].startswith("  # from ec2:DescribeThings thing-1")
    assert all(len(line) <= 100 for line in lines if line.lstrip().startswith("#"))


def test_the_same_template_writes_the_same_bytes() -> None:
    assert to_yaml(template()) == to_yaml(template())


@pytest.mark.parametrize(("parts", "expected"), [
    (("articles-sandbox_alb",), "ArticlesSandboxAlb"),
    (("DB_PASSWORD",), "DbPassword"),
    (("apiKey",), "ApiKey"),
    (("PeerGroup", "sg-0abc"), "PeerGroupSg0abc"),
    (("---",), "Resource"),
])
def test_logical_ids_from_names(parts: tuple[str, ...], expected: str) -> None:
    assert logical(*parts) == expected


def test_a_literal_inside_fn_sub_keeps_its_dollar_brace() -> None:
    assert literal_sub("a ${b} c") == "a ${!b} c"
