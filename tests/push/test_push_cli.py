"""`shipit push` end to end: moto's ECR API, an emulated ECR data plane over a real registry,
real images pushed by a real builder (buildah). Every test asserts the exit code AND ECR state."""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
from pathlib import Path
from typing import Any

import boto3
import pytest

from shipit.net import free_port
from tests.fixtures.cli import run_cli
from tests.fixtures.ecr_registry import EcrDataPlane
from tests.fixtures.registry import Registry
from tests.push.conftest import BuildImage, Built, Project, write_project

pytestmark = pytest.mark.buildah


def _ecr_digest(repository: str, tag: str) -> str | None:
    ecr = boto3.client("ecr")
    try:
        details = ecr.describe_images(repositoryName=repository, imageIds=[{"imageTag": tag}])
    except ecr.exceptions.ImageNotFoundException:
        return None
    return str(details["imageDetails"][0]["imageDigest"])


def test_push_creates_repository_pushes_and_verifies(
    project: Project, build_image: BuildImage,
    registry: Registry,
) -> None:
    built = build_image()
    result = run_cli(["--json", "--config", str(project.config), "push"])
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


def test_a_manifest_missing_arm64_fails_naming_the_platform(
    project: Project, build_image: BuildImage,
) -> None:
    built = build_image(["linux/amd64"], receipt_platforms=["linux/amd64", "linux/arm64"])
    result = run_cli(["--json", "--config", str(project.config), "push"])
    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    assert "missing platform linux/arm64" in error["message"]
    assert "linux/arm64" in result.stderr
    assert _ecr_digest(project.repository, built.tag) == built.digest  # what ECR holds
    assert _ecr_digest(project.repository, "latest") is None  # latest never moved to it


def test_the_same_digest_again_is_a_no_op(
    project: Project, build_image: BuildImage,
    ecr_registry: EcrDataPlane,
) -> None:
    built = build_image()
    assert run_cli(["--config", str(project.config), "push"]).exit_code == 0
    ecr_registry.clear()
    again = run_cli(["--json", "--config", str(project.config), "push"])
    assert again.exit_code == 0, again.stderr
    report = json.loads(again.stdout)
    assert (report["status"], report["latest"]) == ("unchanged", "unchanged")
    assert report["layers_uploaded"] == 0
    assert report["layers_total"] >= 1
    assert "nothing to push (0 layers uploaded)" in again.stderr
    assert ecr_registry.actions == []  # no login, no upload, no manifest: a true no-op
    assert _ecr_digest(project.repository, built.tag) == built.digest


def test_layers_the_repository_holds_are_not_uploaded_again(
    project: Project, build_image: BuildImage, ecr_registry: EcrDataPlane,
) -> None:
    """The first push uploads every layer; the same image under a new tag uploads none."""
    built = build_image()
    first = run_cli(["--json", "--config", str(project.config), "push"])
    assert first.exit_code == 0, first.stderr
    report = json.loads(first.stdout)
    total = report["layers_total"]
    assert report["layers_uploaded"] == total >= 1
    assert report["uploaded_bytes"] > 0
    assert f"{total} of {total} layers uploaded" in first.stderr
    ecr_registry.clear()
    again = run_cli(["--json", "--config", str(project.config), "push", "--tag", "again"])
    assert again.exit_code == 0, again.stderr
    report = json.loads(again.stdout)
    assert (report["status"], report["layers_uploaded"], report["uploaded_bytes"]) == (
        "pushed", 0, 0)
    assert f"0 of {total} layers uploaded, 0.0 MB" in again.stderr
    uploads = [a for a in ecr_registry.actions if a.action in (
        "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload")]
    assert uploads == []  # the registry saw no upload at all
    assert [a.action for a in ecr_registry.actions].count("ecr:BatchCheckLayerAvailability") >= 2
    assert "holds every layer: writing the manifests" in again.stderr  # no builder push
    assert _ecr_digest(project.repository, "again") == built.digest


def _pushed_then_rebuilt_under_the_same_tag(project: Project, build_image: BuildImage,
                                            ) -> tuple[Built, Built]:
    first = build_image(content="v1")
    assert run_cli(["--config", str(project.config), "push"]).exit_code == 0
    second = build_image(content="v2", tag=first.tag)
    assert second.digest != first.digest
    return first, second


def _assert_tag_still_holds(project: Project, registry: Registry, built: Built) -> None:
    assert _ecr_digest(project.repository, built.tag) == built.digest
    stored = registry.manifest(project.repository, built.tag)
    assert stored is not None
    assert stored.digest == built.digest


def test_another_digest_under_an_existing_sha_tag_is_refused_and_nothing_overwritten(
    project: Project, build_image: BuildImage,
    registry: Registry, ecr_registry: EcrDataPlane,
) -> None:
    first, second = _pushed_then_rebuilt_under_the_same_tag(project, build_image)
    ecr_registry.clear()
    result = run_cli(["--json", "--config", str(project.config), "push"])
    assert result.exit_code == 1
    message = json.loads(result.stdout)["error"]["message"]
    assert f"already exists as {first.digest}" in message
    assert second.digest in message
    assert "nothing was pushed or overwritten" in message
    _assert_tag_still_holds(project, registry, first)
    assert _ecr_digest(project.repository, "latest") == first.digest
    assert not [a for a in ecr_registry.actions if a.action == "ecr:PutImage"]


def test_the_registry_refuses_an_immutable_tag_even_if_the_check_is_raced(
    project: Project, build_image: BuildImage,
    buildah: object, registry: Registry,
) -> None:
    """Data plane alone (as if another push landed between shipit's check and its push)."""
    from shipit.aws.ecr import RegistryLogin
    from shipit.errors import Failed
    from shipit.push.builder import BuildahPusher
    from shipit.push.target import Destination

    first, second = _pushed_then_rebuilt_under_the_same_tag(project, build_image)
    target = Destination(project.registry_host, project.repository)
    with BuildahPusher() as pusher:
        token = boto3.client("ecr").get_authorization_token()["authorizationData"][0]
        user, _, password = base64.b64decode(token["authorizationToken"]).decode().partition(":")
        pusher.login(target, RegistryLogin(user, password, ""))  # the data plane checks it
        with pytest.raises(Failed, match="already exists with another digest"):
            pusher.push(second.source, target, first.tag)
    _assert_tag_still_holds(project, registry, first)


def test_a_registry_in_another_region_is_explained(
    tmp_path: Path, build_image: BuildImage,
    project: Project,
) -> None:
    build_image()
    host = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
    config = write_project(tmp_path, repository=project.repository, registry=host)
    result = run_cli(["--config", str(config), "push"])
    assert result.exit_code == 3
    assert "is in eu-west-1, but aws.region is us-east-1" in result.stderr
    assert 'aws.region = "eu-west-1"' in result.stderr
    ecr = boto3.client("ecr")
    assert ecr.describe_repositories()["repositories"] == []  # stopped before touching AWS


def test_no_credentials_exit_3_with_a_hint(
    project: Project, build_image: BuildImage,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    build_image()
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance metadata lookups
    result = run_cli(["--json", "--config", str(project.config), "push"])
    assert result.exit_code == 3
    error = json.loads(result.stdout)["error"]
    assert error["kind"] == "credentials"
    assert "aws configure" in error["hint"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    assert boto3.client("ecr").describe_repositories()["repositories"] == []


def test_an_unreachable_registry_exit_3(
    tmp_path: Path, build_image: BuildImage,
    project: Project,
) -> None:
    build_image()
    closed = f"127.0.0.1:{free_port()}"  # nothing listens there
    config = write_project(tmp_path, repository=project.repository, registry=closed)
    result = run_cli(["--json", "--config", str(config), "push"])
    assert result.exit_code == 3
    error = json.loads(result.stdout)["error"]
    assert error["kind"] == "registry"
    assert f"cannot reach the registry {closed}" in error["message"]
    assert _ecr_digest(project.repository, "latest") is None


def test_the_registry_token_is_never_printed_nor_passed_in_argv(
    capsys: pytest.CaptureFixture[str], project: Project, build_image: BuildImage,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    build_image()
    token = boto3.client("ecr").get_authorization_token()["authorizationData"][0]
    raw = token["authorizationToken"]
    password = base64.b64decode(raw).decode().partition(":")[2]
    seen: list[tuple[list[str], str | None]] = []
    real_run = subprocess.run

    def spy(argv: list[str], **kwargs: Any) -> Any:  # records, then runs the real buildah
        seen.append((list(argv), kwargs.get("input")))
        return real_run(argv, **kwargs)

    monkeypatch.setattr(subprocess, "run", spy)
    results = [run_cli([*args, "--config", str(project.config), "push"])
               for args in (["-v", "-v"], ["--json", "-v"], ["-v"])]
    assert [r.exit_code for r in results] == [0, 0, 0]
    logins = [(argv, stdin) for argv, stdin in seen if "login" in argv]
    assert logins
    assert all(stdin == password + "\n" for _, stdin in logins)
    assert all("--password-stdin" in argv for argv, _ in logins)
    for argv, _ in seen:
        assert not any(password in arg or raw in arg for arg in argv)
    out, err = capsys.readouterr()
    for text in [out, err, *(r.stdout + r.stderr for r in results)]:
        assert password not in text
        assert raw not in text


def test_dry_run_shows_the_plan_and_changes_nothing(
    project: Project, build_image: BuildImage,
    ecr_registry: EcrDataPlane,
) -> None:
    build_image()
    result = run_cli(["--json", "--config", str(project.config), "push", "--dry-run"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["status"], report["repository_status"]) == ("planned", "planned")
    assert "would create ECR repository" in result.stderr
    assert boto3.client("ecr").describe_repositories()["repositories"] == []
    assert ecr_registry.actions == []


def test_an_existing_repository_with_wrong_settings_is_reported_not_changed(
    project: Project, build_image: BuildImage,
) -> None:
    ecr = boto3.client("ecr")
    ecr.create_repository(repositoryName=project.repository, imageTagMutability="MUTABLE",
                          imageScanningConfiguration={"scanOnPush": False})
    built = build_image()
    result = run_cli(["--json", "--config", str(project.config), "push"])
    assert result.exit_code == 0, result.stderr
    warnings = json.loads(result.stdout)["warnings"]
    assert any("tags are mutable (MUTABLE)" in w for w in warnings)
    assert any("scan on push is off" in w for w in warnings)
    assert "put-image-tag-mutability" in result.stderr
    repo = ecr.describe_repositories(repositoryNames=[project.repository])["repositories"][0]
    assert repo["imageTagMutability"] == "MUTABLE"
    assert repo["imageScanningConfiguration"] == {"scanOnPush": False}
    assert _ecr_digest(project.repository, built.tag) == built.digest


def test_a_missing_receipt_is_a_usage_error(
    project: Project,
) -> None:
    result = run_cli(["--config", str(project.config), "push"])
    assert result.exit_code == 2
    assert "no build receipt" in result.stderr
    assert "shipit build" in result.stderr


def test_the_login_lives_in_a_temporary_authfile_removed_after_the_push(
    project: Project, build_image: BuildImage, monkeypatch: pytest.MonkeyPatch,
) -> None:
    build_image()
    default = Path(os.environ["REGISTRY_AUTH_FILE"])  # the buildah fixture's default auth file
    before = default.read_text(encoding="utf-8")
    seen: list[tuple[list[str], Path, int, int, str]] = []
    real_run = subprocess.run

    def spy(argv: list[str], **kwargs: Any) -> Any:  # looks at the authfile, runs real buildah
        if "--authfile" in argv:
            path = Path(argv[argv.index("--authfile") + 1])
            seen.append((list(argv), path, stat.S_IMODE(path.stat().st_mode),
                         stat.S_IMODE(path.parent.stat().st_mode), ""))
        result = real_run(argv, **kwargs)
        if "login" in argv and "--authfile" in argv:
            seen[-1] = (*seen[-1][:4], path.read_text(encoding="utf-8"))
        return result

    monkeypatch.setattr(subprocess, "run", spy)
    result = run_cli(["--config", str(project.config), "push"])
    assert result.exit_code == 0, result.stderr
    logins = [s for s in seen if "login" in s[0]]
    pushes = [s for s in seen if "manifest" in s[0]]
    assert len(logins) == 1
    assert pushes
    login_file = logins[0][1]
    assert {s[1] for s in seen} == {login_file}  # every push used the login's own file
    assert all((s[2], s[3]) == (0o600, 0o700) for s in seen)
    assert project.registry_host in logins[0][4]  # buildah really stored the login there
    assert not login_file.parent.exists()  # ... and it is gone after the push
    assert default.read_text(encoding="utf-8") == before  # never in the default auth file


def test_a_failed_login_leaves_no_authfile(buildah: object) -> None:
    from shipit.aws.ecr import RegistryLogin
    from shipit.errors import RegistryUnreachable
    from shipit.push.builder import BuildahPusher
    from shipit.push.target import Destination

    pusher = BuildahPusher()
    created: list[Path] = []
    real_new = pusher._new_authfile

    def remember() -> Path:
        created.append(real_new())
        return created[-1]

    pusher._new_authfile = remember  # type: ignore[method-assign]
    with pytest.raises(RegistryUnreachable):
        pusher.login(Destination(f"127.0.0.1:{free_port()}", "articles"),
                     RegistryLogin("AWS", "pw-never-stored", ""))
    assert created
    assert not created[0].parent.exists()
    assert pusher.authfile is None
