"""Bad input gets a clear error and leaves the service untouched (asserted on the sandbox)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures.sandbox import Sandbox


def _snapshot(box: Sandbox) -> tuple[Any, ...]:
    service = box.describe_service()
    return (service["taskDefinition"], [d["id"] for d in service["deployments"]],
            sorted(box.revisions()))


@pytest.mark.parametrize(
    ("args", "replace", "code", "message"),
    [
        pytest.param(["--tag", "v2"], {"cluster": "no-such-cluster"}, 3, "no-such-cluster",
                     id="unknown-cluster"),
        pytest.param(["--tag", "v2"], {"service": "no-such-service"}, 3, "no-such-service",
                     id="unknown-service"),
        pytest.param(["--tag", "v2"], {"container": "web"}, 2, "no container named 'web'",
                     id="no-such-container"),
        pytest.param(["--tag", "nope"], {}, 3, "image articles:nope not found", id="no-image"),
        pytest.param(["--image", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/articles:v2"],
                     {}, 3, "region eu-west-1", id="image-in-another-region"),
        pytest.param(["--tag", "v2", "--image", "x"], {}, 2, "exclusive", id="tag-and-image"),
    ],
)
def test_bad_input_is_refused_and_the_service_untouched(
    shared_sandbox: Sandbox, args: list[str], replace: dict[str, str], code: int, message: str
) -> None:
    before = _snapshot(shared_sandbox)
    env = shared_sandbox.variant("variant", **replace) if replace else "sandbox"

    result = shared_sandbox.cli("--json", "deploy", *args, env=env)

    assert result.exit_code == code, result.stderr
    error = result.json()["error"]
    assert message in error["message"]
    assert error["hint"]
    assert _snapshot(shared_sandbox) == before


def test_wrong_region_is_a_clear_error(shared_sandbox: Sandbox) -> None:
    before = _snapshot(shared_sandbox)
    result = run_with_region(shared_sandbox, "eu-west-1")
    assert result.exit_code == 3
    error = result.json()["error"]
    assert "not found" in error["message"].lower()
    assert "region" in error["hint"]
    assert _snapshot(shared_sandbox) == before


def run_with_region(box: Sandbox, region: str) -> Any:
    from tests.fixtures.cli import run_cli

    return run_cli(["--config", str(box.config), "--env", "sandbox", "--region", region,
                    "--json", "deploy", "--tag", "v2"], cwd=box.root)


def test_dry_run_shows_the_diff_and_changes_nothing(shared_sandbox: Sandbox) -> None:
    before = _snapshot(shared_sandbox)
    shared_sandbox.set_vars(LOG_LEVEL="debug")
    try:
        result = shared_sandbox.cli("deploy", "--tag", "v2", "--dry-run")
    finally:
        shared_sandbox.set_vars(LOG_LEVEL="info")
    assert result.exit_code == 0, result.stderr
    assert "~ containerDefinitions[app].image:" in result.stdout
    assert '~ containerDefinitions[app].environment[LOG_LEVEL].value: "info" -> "debug"' in (
        result.stdout)
    assert "~ taskDefinition:" in result.stdout
    assert _snapshot(shared_sandbox) == before


def test_a_second_deploy_is_refused_while_one_rolls_out(shared_sandbox: Sandbox) -> None:
    started = shared_sandbox.cli("--json", "deploy", "--tag", "v2", "--no-wait")
    assert started.exit_code == 0, started.stderr
    assert started.json()["outcome"] == "started"
    deployment = started.json()["deployment_id"]
    during = _snapshot(shared_sandbox)

    refused = shared_sandbox.cli("--json", "deploy", "--tag", "v2")

    assert refused.exit_code == 1
    assert deployment in refused.json()["error"]["message"]
    assert "--force" in refused.json()["error"]["hint"]
    assert _snapshot(shared_sandbox) == during

    forced = shared_sandbox.cli("--json", "deploy", "--tag", "v2", "--force")

    assert forced.exit_code == 0, forced.stderr
    assert forced.json()["outcome"] == "success"
    assert forced.json()["deployment_id"] != deployment
    assert shared_sandbox.running_revisions() == {forced.json()["revision"]}
    assert shared_sandbox.health() == 200


def _write_receipt(box: Sandbox, digest: str) -> None:
    from tests.fixtures.receipts import write_build_receipt

    write_build_receipt(box.root / ".shipit" / "build-receipt.json", tag="v2", digest=digest,
                        platforms=["linux/amd64", "linux/arm64"],
                        local_image="localhost/articles:v2")


def test_a_build_receipt_whose_digest_differs_from_ecr_is_refused(
    shared_sandbox: Sandbox,
) -> None:
    before = _snapshot(shared_sandbox)
    _write_receipt(shared_sandbox, "sha256:" + "0" * 64)

    result = shared_sandbox.cli("--json", "deploy")

    assert result.exit_code == 2
    assert "the build receipt says" in result.json()["error"]["message"]
    assert _snapshot(shared_sandbox) == before


def test_deploy_from_the_build_receipt(shared_sandbox: Sandbox) -> None:
    images = shared_sandbox.client("ecr").describe_images(
        repositoryName="articles", imageIds=[{"imageTag": "v2"}])["imageDetails"]
    _write_receipt(shared_sandbox, images[0]["imageDigest"])

    result = shared_sandbox.cli("--json", "deploy")

    assert result.exit_code == 0, result.stderr
    receipt = result.json()
    assert receipt["image_source"] == "build receipt"
    assert receipt["image"].endswith("@" + images[0]["imageDigest"])
    saved = shared_sandbox.root / ".shipit" / "deploy-receipt.json"
    assert saved.is_file()
    assert shared_sandbox.health() == 200


def test_a_timeout_says_what_was_last_seen_and_is_a_failure(shared_sandbox: Sandbox) -> None:
    shared_sandbox.put_image("v-timeout")  # an image the service does not run yet
    result = shared_sandbox.cli("--json", "deploy", "--tag", "v-timeout", "--timeout", "0.5")

    assert result.exit_code == 1
    receipt = result.json()
    assert receipt["outcome"] == "timeout"
    assert "gave up after 0.5s; last seen: revision" in receipt["message"]
    assert "newest event:" in receipt["message"]
    shared_sandbox.wait_until(
        "the deployment still completes",
        lambda: shared_sandbox.describe_service()["deployments"][0]["rolloutState"]
        == "COMPLETED",
    )
