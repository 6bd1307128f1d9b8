"""`shipit iam-policy web` allows every AWS call a real `shipit web deploy` makes, and no more."""

from __future__ import annotations

import json
from pathlib import Path

from shipit.iam_policy import Scope, build_policy
from tests.fixtures.cli import run_cli
from tests.fixtures.iam import AwsCallLog, assert_allows, star_actions, unused_actions
from tests.web.test_web_deploy import BUCKET, deploy, project  # noqa: F401 - the fixture


def test_web_policy_allows_every_call_of_a_first_and_a_second_deploy(
    project: Path, aws_calls: AwsCallLog  # noqa: F811 - the fixture
) -> None:
    assert deploy(project).exit_code == 0  # creates the bucket, website hosting, uploads
    (project / "site" / "app.js").write_text("// changed\n")
    assert deploy(project).exit_code == 0  # lists, compares, uploads one file
    requests = aws_calls.requests()
    aws_calls.clear()
    printed = run_cli(["--config", str(project / "shipit.toml"), "iam-policy", "web"],
                      cwd=project)
    assert printed.exit_code == 0, printed.stderr
    policy = json.loads(printed.stdout)
    assert_allows(policy, requests)
    assert unused_actions(policy, requests) == set()
    assert star_actions(policy) == set()


def test_web_policy_is_scoped_to_the_bucket() -> None:
    scope = Scope(region="eu-west-1", account="1", values={"bucket": "app.example.com"})
    resources = [s["Resource"] for s in build_policy(["web"], scope)["Statement"]]
    assert resources == ["arn:aws:s3:::app.example.com", "arn:aws:s3:::app.example.com/*"]
