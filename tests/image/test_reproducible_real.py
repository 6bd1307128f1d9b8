"""Same commit, same image, for real: the sample service built by buildah for both platforms in
fresh clones of one commit (one with another umask, one with a touched file), on the session's
local base image. One two-platform build per clone, shared by the tests of this module."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from shipit.image.compare import compare_images
from shipit.image.oci_layout import OciLayoutSource
from tests.fixtures.cli import CliResult
from tests.image.conftest import Project, create_project

pytestmark = [pytest.mark.buildah, pytest.mark.slow, pytest.mark.timeout(1200)]
PLATFORMS = ("linux/amd64", "linux/arm64")
CHANGED = "sample_service/README.md"


@dataclass(frozen=True)
class Build:
    project: Project
    result: CliResult

    @property
    def receipt(self) -> dict[str, Any]:
        assert self.result.exit_code == 0, self.result.stderr[-4000:]
        data: dict[str, Any] = self.result.json()["receipt"]
        return data

    @property
    def layout(self) -> OciLayoutSource:
        return OciLayoutSource(self.project.root / ".shipit" / "oci")


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory, base_image: str) -> Project:
    return create_project(tmp_path_factory.mktemp("origin") / "project", service=True,
                          platforms=PLATFORMS, build_args={"BASE_IMAGE": base_image})


def clone(origin: Project, into: Path, *, umask: str = "022") -> Project:
    subprocess.run(["sh", "-c", f'umask {umask} && git clone -q "$0" "$1"', str(origin.root),
                    str(into)], check=True)
    return Project(into)


@pytest.fixture(scope="module")
def checked(origin: Project, tmp_path_factory: pytest.TempPathFactory,
            storage_env: None) -> Build:
    """Clone 1: built, then built again without cache and compared (--check-reproducible)."""
    project = clone(origin, tmp_path_factory.mktemp("c1") / "project")
    return Build(project, project.shipit("build", "--builder", "buildah", "--check-reproducible"))


@pytest.fixture(scope="module")
def other_clone(origin: Project, tmp_path_factory: pytest.TempPathFactory, storage_env: None,
                checked: Build) -> Build:
    """Clone 2, checked out with umask 077 (files 0600), one file's mtime moved by a year."""
    project = clone(origin, tmp_path_factory.mktemp("c2") / "project", umask="077")
    touched = project.root / "sample_service" / "app.py"
    os.utime(touched, (1_000_000_000, 1_000_000_000))
    assert touched.stat().st_mode & 0o777 == 0o600
    return Build(project, project.shipit("build", "--builder", "buildah"))


@pytest.fixture(scope="module")
def one_byte(origin: Project, tmp_path_factory: pytest.TempPathFactory, storage_env: None,
             checked: Build) -> Build:
    """Clone 3: one byte of one file changed, committed at the same time as the original;
    built for linux/amd64 only (what is compared; a third two-platform build costs a minute)."""
    project = clone(origin, tmp_path_factory.mktemp("c3") / "project")
    path = project.root / CHANGED
    data = bytearray(path.read_bytes())
    data[0] = ord("#") if data[0] != ord("#") else ord(" ")
    path.write_bytes(bytes(data))
    when = project.git("log", "-1", "--format=%cI")
    subprocess.run(["git", "-C", str(project.root), "-c", "user.name=t",
                    "-c", "user.email=t@example.com", "commit", "-q", "-am", "one byte"],
                   check=True, env={**os.environ, "GIT_COMMITTER_DATE": when,
                                    "GIT_AUTHOR_DATE": when})
    return Build(project, project.shipit("build", "--builder", "buildah",
                                         "--platform", "linux/amd64"))


def test_a_clean_build_is_stamped_with_the_commit_time_and_checked(checked: Build) -> None:
    receipt = checked.receipt
    commit_time = int(checked.project.git("log", "-1", "--format=%ct"))
    assert receipt["source_date_epoch"] == commit_time
    assert receipt["reproducible"] == {"reproducible": True, "source_date_epoch": commit_time,
                                       "reasons": []}
    check = receipt["reproducibility_check"]
    assert check["same"] is True
    assert check["second_digest"] == receipt["digest"]
    assert set(receipt["base_image"]["digests"]) == set(PLATFORMS)
    assert all(d.startswith("sha256:") for d in receipt["base_image"]["digests"].values())
    assert "ok    reproducible" in checked.result.stderr


def test_two_fresh_clones_of_one_commit_build_the_same_image(checked: Build,
                                                             other_clone: Build) -> None:
    """Another umask and a touched file: the same index, manifests and configs."""
    first, second = checked.receipt, other_clone.receipt
    assert second["git_sha"] == first["git_sha"]
    assert second["digest"] == first["digest"]
    assert second["platforms"] == first["platforms"]  # manifest and config digests, sizes
    assert compare_images(checked.layout, first["tag"], other_clone.layout,
                          second["tag"]) is None


def test_a_second_build_of_the_same_commit_is_verified_not_built_again(checked: Build) -> None:
    first = checked.receipt
    again = checked.project.shipit("build", "--builder", "buildah")
    assert again.exit_code == 0, again.stderr[-3000:]
    receipt = again.json()["receipt"]
    assert receipt["reused"] is True
    assert first["reused"] is False
    assert first["inputs"] is not None
    assert receipt["inputs"] == first["inputs"]
    assert receipt["digest"] == first["digest"]
    assert receipt["created"] == first["created"]  # when it was built, not when it was reused
    assert "not built again" in again.stderr
    assert "building localhost/" not in again.stderr
    assert "ok    linux/arm64: all" in again.stderr  # read back and verified, as after a build


def test_a_one_byte_change_is_another_image_and_the_comparison_names_the_file(
        checked: Build, one_byte: Build) -> None:
    first, changed = checked.receipt, one_byte.receipt
    assert changed["source_date_epoch"] == first["source_date_epoch"]
    assert changed["digest"] != first["digest"]
    (amd64,) = changed["platforms"]
    original = next(p for p in first["platforms"] if p["platform"] == "linux/amd64")
    assert amd64["digest"] != original["digest"]
    difference = compare_images(checked.layout, original["digest"], one_byte.layout,
                                amd64["digest"])
    assert difference is not None
    assert difference.layer == 2
    assert [(f.path, f.what) for f in difference.files] == [
        (f"/opt/articles/app/{CHANGED}", ("content",))]
    assert f"/opt/articles/app/{CHANGED} (content)" in difference.message


def test_check_reproducible_names_the_file_a_build_step_makes_differently(
        tmp_path: Path, base_image: str, storage_env: None, checked: Build) -> None:
    """A RUN step that writes random bytes: built twice, exit 1, platform, layer and file."""
    project = create_project(tmp_path / "project", platforms=["linux/amd64"],
                             build_args={"BASE_IMAGE": base_image})
    (project.root / "sample_service" / "Dockerfile").write_text(
        "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n"
        "RUN head -c 16 /dev/urandom > /stamp && touch /stable\n", encoding="utf-8")
    project.git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qam", "random")
    result = project.shipit("build", "--builder", "buildah", "--check-reproducible")
    assert result.exit_code == 1, result.stderr[-3000:]
    message = result.json()["error"]["message"]
    assert "not reproducible" in message
    assert "linux/amd64 layer 2: 1 file differs: /stamp (content)" in message
    assert project.receipt_path.exists()  # the first build is a good image: its receipt stays
