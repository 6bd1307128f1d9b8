"""The REAL sample_service/Dockerfile, built by buildah for linux/amd64 and linux/arm64 on the
local base image, pushed to a real docker-registry, read back over HTTP, and started by podman
(the session's one real build: tests/fixtures/real_build.py). Then buildah 1.28's
mislabelled-image bug (plain final FROM) is reproduced and caught."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from shipit.image.manifest import ACCEPT
from shipit.image.receipt import BuildReceipt
from shipit.push.receipt import built_image as push_view
from tests.fixtures.real_build import PLATFORMS, REPOSITORY, RealBuild
from tests.fixtures.registry import Registry
from tests.image.conftest import create_project

# The session's build of both platforms; on a busy 2-CPU machine that takes minutes.
pytestmark = [pytest.mark.buildah, pytest.mark.slow, pytest.mark.timeout(1200)]


@pytest.fixture(scope="module")
def built(real_build: RealBuild) -> RealBuild:
    """The session's real build of both platforms, pushed, verified and smoke-tested."""
    return real_build


def get_json(registry: Registry, path: str, accept: str | None = None) -> dict[str, Any]:
    request = urllib.request.Request(f"{registry.url}/v2/{REPOSITORY}/{path}",
                                     headers={"Accept": accept} if accept else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        data: dict[str, Any] = json.loads(response.read())
    return data


def test_the_build_succeeds_with_one_json_document(built: RealBuild) -> None:
    assert built.result.exit_code == 0, built.result.stderr[-4000:]
    document = built.result.json()
    assert document["ok"] is True
    assert "RUN steps on linux/amd64" in built.result.stderr


def test_manifest_read_back_over_http_lists_both_platforms(built: RealBuild, registry: Registry
                                                           ) -> None:
    stored = registry.manifest(REPOSITORY, built.sha)
    assert stored is not None
    index = json.loads(stored.body)
    listed = {f"{m['platform']['os']}/{m['platform']['architecture']}": m["digest"]
              for m in index["manifests"]}
    assert sorted(listed) == sorted(PLATFORMS)
    for platform, digest in listed.items():
        manifest = get_json(registry, f"manifests/{digest}", ACCEPT)
        config = get_json(registry, f"blobs/{manifest['config']['digest']}")
        assert f"{config['os']}/{config['architecture']}" == platform
        labels = config["config"]["Labels"]
        assert labels["org.opencontainers.image.revision"] == built.sha
        assert labels["org.opencontainers.image.created"].endswith("Z")
        assert config["config"]["User"] == "10001:10001"
        assert config["config"]["Entrypoint"] == ["python3", "-m", "sample_service"]
        assert "APP_ENV=prod" in config["config"]["Env"]
        assert f"APP_VERSION={built.sha}" in config["config"]["Env"]
        assert "8000/tcp" in config["config"]["ExposedPorts"]
    latest = registry.manifest(REPOSITORY, "latest")
    assert latest is not None
    assert latest.digest == stored.digest


def test_receipt_matches_the_registry_and_push_can_read_it(built: RealBuild, registry: Registry
                                                           ) -> None:
    receipt = built.receipt
    on_disk = json.loads(built.project.receipt_path.read_text(encoding="utf-8"))
    assert on_disk == receipt
    assert (receipt["schema"], receipt["version"], receipt["builder"]) == (
        "shipit.build-receipt", 1, "buildah")
    stored = registry.manifest(REPOSITORY, built.sha)
    assert stored is not None
    assert receipt["digest"] == stored.digest
    assert receipt["refs"] == [f"{registry.host}/{REPOSITORY}:{built.sha}",
                               f"{registry.host}/{REPOSITORY}:latest"]
    sizes = {p["platform"]: (p["compressed_size"], p["uncompressed_size"])
             for p in receipt["platforms"]}
    assert all(0 < packed < unpacked for packed, unpacked in sizes.values())
    assert set(receipt["local"]["images"]) == set(PLATFORMS)
    built_image = push_view(BuildReceipt.model_validate(receipt))  # what `shipit push` reads
    assert (built_image.tag, built_image.digest) == (built.sha, stored.digest)
    assert built_image.platforms == PLATFORMS
    assert built_image.source == receipt["local_image"]


def test_every_platform_runs_a_binary_for_its_cpu(built: RealBuild) -> None:
    messages = {f["message"] for f in built.receipt["verification"]["findings"]}
    assert "linux/amd64: /usr/bin/python3.11 is an x86-64 ELF binary" in messages
    assert "linux/arm64: /usr/bin/python3.11 is an AArch64 ELF binary" in messages
    native = [m for m in messages if "ELF files are" in m]
    assert sorted(m.split(":")[0] for m in native) == sorted(PLATFORMS)


def test_smoke_gets_200_from_the_health_url(built: RealBuild) -> None:
    native, emulated = built.receipt["smoke"]
    assert (native["platform"], native["runtime"], native["status"], native["ok"]) == (
        "linux/amd64", "podman", 200, True)
    assert native["url"].endswith("/api/health")
    # the arm64 image, started under qemu-user (installed by scripts/bootstrap)
    assert (emulated["platform"], emulated["runtime"], emulated["status"]) == (
        "linux/arm64", "qemu-aarch64-static in a chroot", 200)
    assert "smoke linux/arm64 (qemu-aarch64-static in a chroot): GET" in built.result.stderr


def test_a_plain_final_from_ships_an_x86_python_in_the_arm64_image(
        tmp_path: Path, base_image: str, storage_env: None, built: RealBuild) -> None:
    """buildah 1.28 bug 2, for real: config and manifest say arm64, python is x86-64."""
    project = create_project(tmp_path / "project", service=True, platforms=["linux/arm64"],
                             build_args={"BASE_IMAGE": base_image},
                             dockerfile="sample_service/Dockerfile.plain-from")
    dockerfile = (project.root / "sample_service" / "Dockerfile").read_text(encoding="utf-8")
    final = "FROM --platform=$TARGETPLATFORM ${BASE_IMAGE}\n"
    assert final in dockerfile
    (project.root / "sample_service" / "Dockerfile.plain-from").write_text(
        dockerfile.replace(final, "FROM ${BASE_IMAGE}\n"), encoding="utf-8")
    project.git("add", "-A")
    project.git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "v")

    result = project.shipit("build", "--builder", "buildah")
    assert result.exit_code == 1, result.stderr[-3000:]
    error = result.json()["error"]
    assert ("linux/arm64: /usr/bin/python3.11 is an x86-64 ELF binary; the task would die with "
            "`exec format error`") in error["message"]
    findings = {f["check"]: f for f in error["verification"]["findings"]}
    assert findings["platforms"]["ok"] is True  # what every other tool checks: it passes
    assert findings["config"]["ok"] is True
    assert findings["executable"]["ok"] is False
    assert not project.receipt_path.exists()
