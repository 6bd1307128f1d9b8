"""`shipit push` end to end: moto's ECR API, an emulated ECR data plane over a real registry,
real images pushed by a real builder (buildah). Every test asserts the exit code AND ECR state."""

from __future__ import annotations

import json

import boto3
import pytest

from tests.fixtures.registry import Registry
from tests.push.cli import run_shipit
from tests.push.conftest import BuildImage, Project

pytestmark = pytest.mark.buildah


def _ecr_digest(repository: str, tag: str) -> str | None:
    ecr = boto3.client("ecr")
    try:
        details = ecr.describe_images(repositoryName=repository, imageIds=[{"imageTag": tag}])
    except ecr.exceptions.ImageNotFoundException:
        return None
    return str(details["imageDetails"][0]["imageDigest"])


def test_push_creates_repository_pushes_and_verifies(
    capsys: pytest.CaptureFixture[str], project: Project, build_image: BuildImage,
    registry: Registry,
) -> None:
    built = build_image()
    result = run_shipit(capsys, "--json", "--config", str(project.config), "push")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["status"] == "pushed"
    assert report["digest"] == built.digest
    assert report["platforms"] == ["linux/amd64", "linux/arm64"]
    assert report["latest"] == "moved"
    assert report["repository_status"] == "created"
    assert _ecr_digest(project.repository, built.tag) == built.digest
    assert _ecr_digest(project.repository, "latest") == built.digest
    repo = boto3.client("ecr").describe_repositories(
        repositoryNames=[project.repository])["repositories"][0]
    assert repo["imageTagMutability"] == "IMMUTABLE_WITH_EXCLUSION"
    assert repo["imageTagMutabilityExclusionFilters"] == [
        {"filter": "latest", "filterType": "WILDCARD"}]
    assert repo["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repo["encryptionConfiguration"]["encryptionType"] == "AES256"
    stored = registry.manifest(project.repository, built.tag)
    assert stored is not None
    assert stored.digest == built.digest
